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
    Internal = 1000, 500, "Wazuh Internal Error", None;
    /// A request body that is not valid JSON or has the wrong shape.
    InvalidBody = 1006, 400, "Invalid request body", Some("Check the request body against the API reference");
    /// `offset` out of range.
    InvalidOffset = 1400, 400, "Invalid offset", Some("offset must be an integer of 0 or more");
    /// A `sort` expression that cannot be parsed.
    InvalidSortSyntax = 1401, 400, "Invalid sort field", Some("Use +field or -field, several separated by commas");
    /// A `sort` field that the resource does not have.
    InvalidSortField = 1403, 400, "Not a valid sort field", Some("Use one of the fields the resource returns");
    /// `limit` above the maximum.
    LimitTooLarge = 1405, 400, "Specified limit exceeds maximum allowed", Some("Use a limit of at most 100000");
    /// `limit=0`.
    LimitZero = 1406, 400, "0 is not a valid limit", Some("Use a limit between 1 and 100000");
    /// A `q` that does not parse.
    InvalidQuery = 1407, 400, "Query does not match expected format", Some("Check the WQL syntax: field operator value, joined with ';' (and) or ',' (or)");
    /// A `q` naming a field the resource does not have.
    InvalidQueryField = 1408, 400, "Field does not exist", Some("Use one of the fields the resource returns");
    /// A `q` with an operator the field cannot take or an invalid value.
    InvalidQueryValue = 1409, 400, "Invalid query operator", Some("Check the operator and value for that field");
    /// A `select` field that the resource does not have.
    InvalidSelectField = 1724, 400, "Not a valid select field", Some("Use one of the fields the resource returns");
    /// Agent id unknown.
    AgentNotFound = 1701, 404, "Agent does not exist", Some("Check the agent id with GET /agents");
    /// Wrong user or password, or a token that is missing, malformed, expired or revoked.
    Unauthorized = 6001, 401, "Unauthorized", None;
    /// RBAC forbids the action.
    PermissionDenied = 4000, 403, "Permission denied", Some("Ask an administrator to grant the needed role");
    /// A source IP blocked after too many failed logins.
    LoginBlocked = 6000, 403, "Limit of login attempts reached. The current IP has been blocked due to a high number of login attempts", Some("Wait for the block time to end, then log in again");
    /// The request rate limit was exceeded.
    TooManyRequests = 6001, 429, "Maximum number of requests per minute reached", Some("Wait a minute, or raise access.max_request_per_minute");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_per_variant_meaning() {
        for a in WazuhCode::ALL {
            assert!(a.status() >= 400, "{a:?} must be an error status");
            assert!(!a.message().is_empty());
        }
    }
}
