SET ROLE "app_owner";
