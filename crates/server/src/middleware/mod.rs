//! Request middleware, outermost first: access log → rate limit → (routing) → contract
//! (authentication, parameter validation, `pretty`).

pub mod access_log;
pub mod contract;
pub mod rate_limit;
