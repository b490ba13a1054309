-- The cluster's node registry. Every node that runs with the cluster enabled registers itself
-- here at start and refreshes `last_heartbeat` while it runs; the cluster endpoints read the
-- node list from this table, so nodes sharing one database see each other without talking.
CREATE TABLE cluster_nodes (
    name           TEXT    PRIMARY KEY,
    node_type      TEXT    NOT NULL CHECK (node_type IN ('master', 'worker')),
    address        TEXT    NOT NULL,
    version        TEXT    NOT NULL,
    registered_at  INTEGER NOT NULL,
    last_heartbeat INTEGER NOT NULL
);
