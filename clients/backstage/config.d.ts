// The app-config schema of this module (Backstage reads it through package.json "configSchema").
export interface Config {
  /** Where DB Provision's portal API is and how the scaffolder authenticates to it. */
  dbprovision?: {
    /** "https://host:port" of the portal API (standalone: the cluster server of <data-dir>/portal-kubeconfig). */
    endpoint: string;
    /** A file with the PEM CA certificate that signed the endpoint's certificate. */
    caFile?: string;
    /** The PEM CA certificate itself (instead of caFile). */
    ca?: string;
    /**
     * Bearer token of the identity the scaffolder acts as; it needs create on databases, databaseusers and
     * databasegrants in the namespaces templates may name.
     * @visibility secret
     */
    token?: string;
    /** How long one database request may take, in seconds (default 300). */
    requestTimeoutSeconds?: number;
  };
}
