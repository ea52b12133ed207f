// A Backstage scaffolder module for DB Provision: the action dbprovision:database:request.

export { scaffolderModuleDbProvision as default } from "./module.js";
export { ACTION_ID, createDatabaseRequestAction } from "./action.js";
export { readDbProvisionSettings, type DbProvisionSettings } from "./config.js";
