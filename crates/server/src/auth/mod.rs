//! Authentication: tokens ([`jwt`]), passwords ([`password`]) and the authenticated caller
//! ([`caller`]).

pub mod authz;
pub mod caller;
pub mod jwt;
pub mod password;
pub mod rbac;
pub mod run_as;
pub mod tokens;
