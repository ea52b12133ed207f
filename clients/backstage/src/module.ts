// The backend module: registers dbprovision:database:request with the scaffolder, configured from app-config.

import { coreServices, createBackendModule } from "@backstage/backend-plugin-api";
import { scaffolderActionsExtensionPoint } from "@backstage/plugin-scaffolder-node";
import { createDatabaseRequestAction } from "./action.js";
import { readDbProvisionSettings } from "./config.js";

/** Add to a backend with `backend.add(import('@dbprovision/backstage-plugin-scaffolder-backend-module-dbprovision'))`. */
export const scaffolderModuleDbProvision = createBackendModule({
  pluginId: "scaffolder",
  moduleId: "dbprovision",
  register(reg) {
    reg.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint, config: coreServices.rootConfig },
      async init({ scaffolder, config }) {
        scaffolder.addActions(createDatabaseRequestAction(readDbProvisionSettings(config)));
      },
    });
  },
});
