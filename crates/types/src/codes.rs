//! Wazuh's numeric error codes: the single table of numbers, HTTP statuses and messages.
//!
//! Numbers and the short messages clients match on are Wazuh's (`framework/wazuh/core/exception.py`
//! and `api/api/api_exception.py` at v4.14.7) because scripts compare them; remediations are
//! written in our own words. Each row: variant, number, HTTP status, message, remediation.

macro_rules! wazuh_codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $status:literal, $msg:literal, $rem:expr; )*) => {
        /// A Wazuh error code. The HTTP status is the one the API uses when the code is the
        /// top-level error of a request.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum WazuhCode {
            $( $(#[$doc])* $variant, )*
        }

        impl WazuhCode {
            /// Every code, in table order.
            pub const ALL: &'static [WazuhCode] = &[ $( WazuhCode::$variant, )* ];

            /// The number clients see in `error` / `failed_items[].error.code`.
            pub const fn number(self) -> u32 {
                match self { $( WazuhCode::$variant => $num, )* }
            }

            /// The HTTP status of a request that fails with this code.
            pub const fn status(self) -> u16 {
                match self { $( WazuhCode::$variant => $status, )* }
            }

            /// Wazuh's message for the code.
            pub const fn message(self) -> &'static str {
                match self { $( WazuhCode::$variant => $msg, )* }
            }

            /// How to fix it, when there is something the caller can do.
            pub const fn remediation(self) -> Option<&'static str> {
                match self { $( WazuhCode::$variant => $rem, )* }
            }

            /// Looks a code up by number.
            pub fn from_number(n: u32) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.number() == n)
            }
        }
    };
}

wazuh_codes! {
    /// Anything unexpected on the server side.
    Internal = 1000, 500, "Wazuh Internal Error", Some("Check logs/api.log in the oxsec data dir for the cause");
    /// A request body that is not JSON.
    BodyNotJson = 1018, 400, "Body request is not a valid JSON", None;
    /// `offset` out of range.
    InvalidOffset = 1400, 400, "Invalid offset", None;
    /// `limit` out of range.
    InvalidLimit = 1401, 400, "Invalid limit", None;
    /// A `sort` field the resource does not have.
    InvalidSortField = 1403, 400, "Not a valid sort field", Some("Use only the fields the resource can be sorted by");
    /// `limit` above the maximum.
    LimitTooLarge = 1405, 400, "Specified limit exceeds maximum allowed", Some("Use a limit between 1 and 100000");
    /// `limit=0`.
    LimitZero = 1406, 400, "0 is not a valid limit", Some("Use a limit between 1 and 100000");
    /// A `q` that does not parse.
    InvalidQuery = 1407, 400, "Query does not match expected format", None;
    /// A `q` naming a field the resource does not have.
    InvalidQueryField = 1408, 400, "Field does not exist", None;
    /// A `q` operator or value that the field cannot take.
    InvalidQueryOperator = 1409, 400, "Invalid query operator", None;
    /// `distinct` with more than one selected field where only one is allowed.
    DistinctManyFields = 1410, 400, "Selecting more than one field in distinct mode", None;
    /// A timeframe (`7d`, `1h30m`) that does not parse.
    InvalidTimeframe = 1411, 400, "TimeFrame is not valid", None;
    /// A date filter that does not parse.
    InvalidDateFilter = 1412, 400, "Date filter not valid. Valid formats are YYYY-MM-DD HH:mm:ss, YYYY-MM-DDTHH:mm:ssZ or YYYY-MM-DD", None;
    /// The request took longer than `intervals.request_timeout` (and `wait_for_complete` was off).
    RequestTimeout = 3021, 500, "Timeout executing API request", Some("Retry with wait_for_complete=true, or raise intervals.request_timeout");
    /// Agent id unknown.
    AgentNotFound = 1701, 404, "Agent does not exist", Some("List the existing agents with GET /agents?select=id,name");
    /// An action the manager (agent 000) cannot be the target of.
    ManagerAgent = 1703, 400, "Action not available for Manager (agent 000)", Some("Choose an agent other than 000");
    /// An agent name that is taken.
    AgentNameTaken = 1705, 400, "There is an agent with the same name", Some("Choose another name");
    /// An agent IP that is taken or invalid.
    AgentIpTaken = 1706, 400, "There is an agent with the same IP or the IP is invalid", Some("Choose another IP");
    /// An agent name with characters Wazuh refuses.
    InvalidAgentName = 1738, 400, "Agent name is too long", Some("Use up to 128 letters, digits, '-', '_' or '.'");
    /// A file that is not there (or cannot be read).
    FileNotFound = 1006, 400, "File/directory does not exist or there is a problem with the permissions", Some("Check the file name with the files listing of the resource");
    /// A component or configuration that does not exist or cannot be rendered.
    ComponentNotFound = 1101, 400, "Requested component does not exist", None;
    /// A configuration section Wazuh does not have.
    InvalidSection = 1102, 400, "Invalid section", Some("Use one of the sections listed in the API reference for GET /manager/configuration");
    /// A field the configuration section does not have.
    InvalidSectionField = 1103, 400, "Invalid field in section", Some("Read the section without `field` to see which fields it has");
    /// A known section that the configuration does not contain.
    SectionNotPresent = 1106, 400, "Requested section not present in configuration", Some("Add the section to etc/ossec.conf, or ask for one it has");
    /// A configuration the component has no active value for.
    ComponentConfigMissing = 1116, 400, "Requested component configuration does not exist", Some("See the README for the configurations oxsec's components report; GET /manager/configuration shows the whole file");
    /// A daemon's active configuration cannot be read because oxsec does not run that daemon.
    ComponentSocket = 1121, 500, "Error connecting with socket", Some("oxsec does not run this component; see the README for the components it does run");
    /// A configuration that fails Wazuh's rules for uploaded files.
    InvalidOssecConf = 1125, 400, "Invalid ossec configuration", Some("Please, provide a valid ossec configuration");
    /// The configuration could not be written.
    OssecConfWrite = 1126, 500, "Error updating ossec configuration", Some("Check that etc/ossec.conf in the data dir is writable by oxsec");
    /// A component/configuration pair that does not exist.
    InvalidComponentConfig = 1128, 400, "Invalid configuration for the given component", None;
    /// No such statistics file.
    StatsFileMissing = 1308, 400, "Stats file does not exist", Some("Stats files are usually generated at 12 PM on a daily basis");
    /// A statistics file that cannot be parsed.
    StatsFileDamaged = 1309, 500, "Statistics file damaged", None;
    /// No log file to read.
    LogFileMissing = 1020, 500, "Could not find any Wazuh log file", Some("Check logs/ossec.log in the oxsec data dir");
    /// A configuration the manager would not start with.
    ConfigurationInvalid = 1908, 400, "Error validating configuration", Some("Please, fix the corrupted files");
    /// The update check failed.
    CtiRequest = 2100, 500, "Error in CTI service request", None;
    /// A cluster operation while the cluster does not run.
    ClusterNotRunning = 3013, 400, "Cluster is not running, it might be disabled in `WAZUH_HOME/etc/ossec.conf`", Some("Please, visit the official documentation (https://documentation.wazuh.com/4.14/user-manual/configuring-cluster/index.html) to get more information about how to configure a cluster");
    /// A `<cluster>` section clusterd would refuse.
    InvalidClusterConfig = 3004, 500, "Error in cluster configuration", Some("Fix the <cluster> section of etc/ossec.conf");
    /// A node the cluster lists but this node cannot reach.
    UnknownNode = 3022, 400, "Unknown node ID", Some("Check the name of the node");
    /// A file `type` the endpoint does not know.
    InvalidType = 1104, 400, "Invalid type", Some("Insert a valid type");
    /// An event `POST /events` cannot queue (too large).
    InvalidQueueMessage = 1012, 400, "Invalid message to queue", None;
    /// The ruleset could not be reloaded; the running one stays.
    RulesetReloadFailed = 1914, 400, "Failed to reload ruleset", Some("Fix the files named in the message (GET /rules/files, GET /decoders/files) and reload again");
    /// Logtest refused the request.
    LogtestError = 7000, 400, "Error trying to get logtest response", None;
    /// A logtest request without a session token.
    LogtestToken = 7001, 400, "Error trying to read logtest session token", Some("Make sure the introduced token is correct");
    /// A configuration file that is not well-formed XML.
    XmlSyntax = 1113, 400, "XML syntax error", Some("Please, ensure file content has correct XML");
    /// The agent is not connected, so the command cannot reach it.
    AgentNotActive = 1707, 400, "Cannot send request, agent is not active", Some("Check the agent's connection (GET /agents?agents_list=ID&select=status) and try again");
    /// `POST /agents/insert` with an id in use.
    AgentIdTaken = 1708, 400, "There is an agent with the same ID", Some("Please choose another ID");
    /// An agent key shorter than 64 characters.
    AgentKeyTooShort = 1709, 400, "Too short key size", Some("The necessary size for the key is 64 characters at least");
    /// No such group.
    GroupNotFound = 1710, 404, "The group does not exist", Some("List the existing groups with GET /groups");
    /// The group exists already.
    GroupExists = 1711, 400, "The group already exists", Some("Please, use another group ID");
    /// Group `default` cannot be deleted.
    DefaultGroupNotDeletable = 1712, 400, "Default group is not deletable", None;
    /// A group name reserved for internal use.
    GroupNameReserved = 1713, 400, "Invalid group ID. Some IDs are restricted for internal purposes", Some("Please, use another group ID");
    /// A group name with characters or a length Wazuh does not allow.
    InvalidGroupName = 1722, 400, "Incorrect format for group_id", Some("Characters supported  a-z, A-Z, 0-9, ., _ and -. Max length is 255");
    /// A group's files cannot be listed.
    GroupFilesError = 1727, 400, "Error listing group files", None;
    /// A cluster node that does not exist.
    NodeNotFound = 1730, 404, "Node does not exist", Some("Make sure the name is correct and that the node is up: GET /cluster/nodes lists the nodes the cluster knows");
    /// The agent does not meet the conditions of the action (status, age).
    AgentNotEligible = 1731, 400, "Agent is not eligible for the action to be performed", Some("Please, make sure the agent meets the requirements.");
    /// The agent is not in the group it should leave.
    AgentNotInGroup = 1734, 400, "Error removing agent from group", Some("The agent does not belong to this group; see its groups with GET /agents?agents_list=ID&select=group");
    /// The agent's version lacks the feature.
    AgentVersionIncompatible = 1735, 400, "Agent version is not compatible with this feature", None;
    /// An agent already in 128 groups.
    TooManyGroups = 1737, 400, "Maximum number of groups per multigroup is 128", Some("Please choose another group or remove an agent from the target group");
    /// Only an active agent can do this.
    AgentOnlyActive = 1740, 400, "Action only available for active agents", Some("Please activate the agent to synchronize it");
    /// An agent in `default` only cannot leave it.
    OnlyDefaultGroup = 1745, 400, "Agent only belongs to 'default' and it cannot be unassigned from this group.", None;
    /// The agent is in the group already.
    AgentAlreadyInGroup = 1751, 400, "Could not assign agent to group", Some("Agent already belongs to specified group, please select another agent");
    /// `force_single_group` could not be applied.
    ForceSingleGroupFailed = 1752, 400, "Could not force single group for the agent", None;
    /// An agent could not be deleted.
    AgentDeleteFailed = 1757, 400, "Error deleting an agent", Some("Please check all data fields and try again");
    /// An agent without a version: it never connected.
    AgentVersionNull = 1015, 400, "Agent version is null. Was the agent ever connected?", None;
    /// An `/experimental/…` operation while `experimental_features` is off.
    ExperimentalDisabled = 1122, 404, "Experimental features are disabled", Some("Experimental features can be enabled with experimental_features: yes in the API configuration");
    /// A legacy-only feature asked of a recent agent.
    OnlyOlderAgents = 1760, 400, "Feature only available for older agent versions, it doesn't apply for more recent ones.", None;
    /// `upgrade_result` for an agent without upgrade tasks (the task manager's own message).
    NoUpgradeTask = 1813, 400, "No task in DB", None;
    /// An upload with an empty body.
    EmptyFile = 1912, 400, "Body is empty", Some("Please, check the content of the file to be uploaded");
    /// A `select` field the resource does not have.
    InvalidSelectField = 1724, 400, "Not a valid select field", Some("Use only the fields the resource returns");
    /// An active response without a command.
    ActiveResponseNoCommand = 1650, 400, "Active response - Command not specified", Some("Give the command to run in the request body's 'command'");
    /// An active response naming a command not defined in `etc/shared/ar.conf` (and not a `!script`).
    ActiveResponseUnknownCommand = 1652, 400, "The command used is not defined in the configuration.", Some("Use a command defined in the manager's active-response configuration (etc/shared/ar.conf), or '!<script>' to run a script by name");
    /// The agent's own configuration disables active response.
    ActiveResponseDisabled = 1750, 400, "Could not send restart command, active-response is disabled in the agent", Some("Enable it in the agent's ossec.conf (<active-response><disabled>no</disabled>)");
    /// A rootcheck `status` other than all, outstanding or solved.
    InvalidRootcheckStatus = 1603, 400, "Invalid status. Valid statuses are: all, solved and outstanding", None;
    /// An agent without a database (it never connected).
    NoAgentDatabase = 2007, 400, "Error retrieving data from Wazuh DB", Some("The agent has not reported yet: its data appears once it has connected to the manager (or was imported)");
    /// A request the agent database cannot run (upstream: wazuh-db refused it).
    WazuhDbError = 2003, 400, "Error in wazuhdb request", Some("Make sure the request is correct");
    /// A rule id that no readable rule file holds.
    RuleNotFound = 1208, 400, "The rule does not exist or you do not have permission to see it", None;
    /// A rules file that is not well-formed XML.
    RulesFileUnreadable = 1413, 400, "Error reading rules file", None;
    /// A rules file that cannot be read.
    RulesFileIo = 1414, 400, "Error reading rules file", Some("Please, make sure you have read permissions over the file");
    /// A decoders file that cannot be read.
    DecodersFileIo = 1502, 400, "Error reading decoders file", Some("Please, make sure you have read permissions over the file");
    /// A rules file that is not in the catalog.
    RulesFileNotFound = 1415, 400, "Rules file not found", Some("Please, use GET /rules/files to list all available rules");
    /// A decoders file that is not well-formed XML.
    DecodersFileUnreadable = 1501, 400, "Error reading decoders file", None;
    /// A decoders file that is not in the catalog.
    DecodersFileNotFound = 1503, 400, "Decoders file not found", Some("Please, use GET /decoders/files to list all available decoders");
    /// A decoder name that no readable decoder file holds.
    DecoderNotFound = 1504, 400, "The decoder does not exist or you do not have permission to see it", None;
    /// A CDB list that is not under etc/lists.
    ListFileNotFound = 1802, 400, "Lists file not found", Some("Please, use GET /lists/files to list all available lists");
    /// A CDB list path that cannot be read as a list.
    ListFileUnreadable = 1804, 400, "Error reading lists file", None;
    /// A rules upload or delete aimed at a directory no `rule_dir` declares.
    RuleDirNotDeclared = 1209, 400, "Invalid relative directory. A 'rule_dir' tag must be declared in ossec.conf ruleset section.", None;
    /// A rules upload or delete aimed at the shipped ruleset.
    DefaultRulesReadOnly = 1210, 400, "Uploading, updating or deleting default rules is not allowed.", None;
    /// A rules upload or delete aimed at a declared directory that does not exist.
    RuleDirMissing = 1211, 400, "Invalid relative directory. A 'rule_dir' tag is declared in ossec.conf ruleset section, but the directory does not exist.", None;
    /// A decoders upload or delete aimed at a directory no `decoder_dir` declares.
    DecoderDirNotDeclared = 1505, 400, "Invalid relative directory. A 'decoder_dir' tag must be declared in ossec.conf ruleset section.", None;
    /// A decoders upload or delete aimed at the shipped ruleset.
    DefaultDecodersReadOnly = 1506, 400, "Uploading, updating or deleting default decoders is not allowed.", None;
    /// A decoders upload or delete aimed at a declared directory that does not exist.
    DecoderDirMissing = 1507, 400, "Invalid relative directory. A 'decoder_dir' tag is declared in ossec.conf ruleset section, but the directory does not exist.", None;
    /// A CDB list whose lines are not `key:value`.
    ListBadFormat = 1800, 400, "Bad format in CDB list", Some("Write one key:value pair per line; quote a key or value that holds ':'");
    /// A CDB list upload whose name is taken in a subdirectory of etc/lists.
    ListNameInSubdirectory = 1805, 400, "File with the same name already exists in a subdirectory.", Some("Please, make sure to use a name which is not repeated.");
    /// An upload over an existing file without `overwrite=true`.
    FileExists = 1905, 400, "File could not be updated, it already exists", Some("Please, provide a different file or set overwrite=True to overwrite actual file");
    /// A delete of a file that does not exist.
    FileMissing = 1906, 400, "File does not exist", Some("Please, provide a different file or make sure provided file path is correct");
    /// A file that could not be removed.
    FileNotDeleted = 1907, 400, "File could not be deleted", None;
    /// An upload that is not UTF-8 text.
    BodyNotUtf8 = 1911, 400, "Error parsing body request to UTF-8", Some("Please, check if the file content to be uploaded is right");
    /// RBAC forbids the action.
    PermissionDenied = 4000, 403, "Permission denied", Some("Ask an administrator for a role whose policies allow this action on these resources");
    /// A request body with nothing to change.
    EmptyBody = 4001, 400, "The body of the request is empty, you must specify what you want to modify", None;
    /// A role id that does not exist.
    RoleNotFound = 4002, 404, "The specified role does not exist", Some("Create the role with POST /security/roles");
    /// A security rule that is not a JSON object.
    InvalidSecurityRule = 4003, 400, "The specified rule is invalid", Some("The rule must be a JSON object of MATCH/FIND/AND/OR/NOT expressions");
    /// A name (or rule body) that is already taken.
    NameTaken = 4005, 400, "The specified name or rule already exists", None;
    /// A policy without valid actions, resources and effect.
    InvalidPolicy = 4006, 400, "The specified policy is invalid", Some("A policy is a JSON object with \"actions\", \"resources\" (type:attr:value) and \"effect\"");
    /// A policy id that does not exist.
    PolicyNotFound = 4007, 404, "The specified policy does not exist", Some("Create the policy with POST /security/policies");
    /// A reserved (default) resource that cannot be changed.
    ReservedResource = 4008, 403, "The specified resource is required for a correct Wazuh's functionality", None;
    /// A policy name or body already taken.
    PolicyTaken = 4009, 400, "The specified name or policy already exists", None;
    /// Unlinking a policy the role does not have.
    RolePolicyMissing = 4010, 404, "The specified role-policy relation does not exist", Some("Link it first with POST /security/roles/{role_id}/policies");
    /// Linking a policy the role already has.
    RolePolicyExists = 4011, 400, "The specified role-policy link already exist", None;
    /// Renaming to a name already taken.
    NameExists = 4013, 400, "The specified name already exists", None;
    /// Unlinking a role the user does not have.
    UserRoleMissing = 4016, 404, "The specified user-role relation does not exist", Some("Link it first with POST /security/users/{user_id}/roles");
    /// Linking a role the user already has.
    UserRoleExists = 4017, 400, "The specified user-role relation already exists", None;
    /// An unknown endpoint in `GET /security/actions?endpoint=`.
    InvalidEndpoint = 4020, 400, "Invalid endpoint specified", None;
    /// A security rule id that does not exist.
    SecurityRuleNotFound = 4022, 404, "The specified security rule does not exist", Some("Create the security rule with POST /security/rules");
    /// Linking a security rule the role already has.
    RoleRuleExists = 4023, 400, "The specified role-rule relation already exist", None;
    /// Unlinking a security rule the role does not have.
    RoleRuleMissing = 4024, 404, "The specified role-rule relation does not exist", Some("Link it first with POST /security/roles/{role_id}/rules");
    /// A user that could not be created (the name is taken).
    UserNotCreated = 5000, 400, "The user could not be created", Some("Check with GET /security/users that the user does not exist already");
    /// A security user id that does not exist.
    UserNotFound = 5001, 404, "The user does not exist", Some("Create it with POST /security/users");
    /// A default user that cannot be removed or updated.
    UserReserved = 5004, 403, "The user could not be removed or updated", Some("The default administrator users cannot be removed");
    /// A password without upper, lower, digit and symbol.
    WeakPasswordChars = 5007, 400, "Insecure user password provided", Some("Use at least one upper-case letter, one lower-case letter, a digit and a symbol");
    /// Deleting the calling user.
    CannotDeleteSelf = 5008, 403, "The current user cannot be deleted", Some("Another user with the needed permissions can delete it");
    /// A password shorter than 8 or longer than 64 characters.
    WeakPasswordLength = 5009, 400, "Insecure user password provided", Some("Use between 8 and 64 characters");
    /// A non-default user changing a default user's password.
    ReservedUserPassword = 5011, 403, "Administrator users can only be modified by themselves", Some("Log in as that administrator user");
    /// A source IP blocked after too many failed logins.
    LoginBlocked = 6000, 403, "Limit of login attempts reached. The current IP has been blocked due to a high number of login attempts", None;
    /// The request rate limit was exceeded.
    TooManyRequests = 6001, 429, "Maximum number of requests per minute reached", Some("Wait for the current minute to end, or raise access.max_request_per_minute in the API configuration");
    /// The user may not log in with an authorization context.
    RunAsNotAllowed = 6004, 403, "The current user does not have authentication enabled through authorization context", Some("An administrator can allow it with PUT /security/users/{user_id}/run_as");
    /// The `/events` rate limit was exceeded.
    TooManyEventRequests = 6005, 429, "Maximum number of requests per minute reached", None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_map_to_error_statuses() {
        let mut seen = std::collections::HashSet::new();
        for a in WazuhCode::ALL {
            assert!(seen.insert(a.number()), "{} twice", a.number());
            assert!(a.status() >= 400, "{a:?} must be an error status");
            assert!(!a.message().is_empty());
            assert_eq!(WazuhCode::from_number(a.number()), Some(*a));
        }
    }
}
