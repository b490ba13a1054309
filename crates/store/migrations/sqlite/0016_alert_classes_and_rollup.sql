-- Alerts at scale. Everything an alert takes from its rule (id, level, groups, MITRE,
-- compliance) and its decoder is one "class": few distinct ones, so filters on them become
-- `class IN (...)` on an index, and an hourly rollup per agent and class answers counts and
-- summaries over wide windows without reading the alerts themselves.
CREATE TABLE alert_classes (
    class      INTEGER PRIMARY KEY,
    -- JSON: [rule id, level, decoder name, [[field, value], ...]]
    signature  TEXT NOT NULL UNIQUE
);

ALTER TABLE alerts ADD COLUMN class INTEGER REFERENCES alert_classes (class);
ALTER TABLE alerts ADD COLUMN srcip TEXT;
ALTER TABLE alerts ADD COLUMN dstip TEXT;
ALTER TABLE alerts ADD COLUMN srcuser TEXT;

-- Alerts of an hour (epoch / 3600), per agent and class.
CREATE TABLE alert_hourly (
    hour     INTEGER NOT NULL,
    agent_id TEXT    NOT NULL,
    class    INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (hour, agent_id, class)
) WITHOUT ROWID;

-- The class replaces the rule and level indexes (a level or rule filter is a set of classes).
DROP INDEX alerts_rule;
DROP INDEX alerts_level;
CREATE INDEX alerts_class ON alerts (class, epoch);
CREATE INDEX alerts_srcip ON alerts (srcip, epoch) WHERE srcip IS NOT NULL;
CREATE INDEX alerts_dstip ON alerts (dstip, epoch) WHERE dstip IS NOT NULL;
CREATE INDEX alerts_srcuser ON alerts (srcuser, epoch) WHERE srcuser IS NOT NULL;
-- Alerts stored before this migration, classified (and rolled up) at the next start.
CREATE INDEX alerts_unclassified ON alerts (seq) WHERE class IS NULL;
