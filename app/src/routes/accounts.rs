//! Account flows, one module per flow, each with its own routes: log in and out, sign up and
//! activate, reset and change the password, profile, own-work declaration.

pub mod login;
pub(crate) mod password;
mod profile;
mod signup;

use poem::RouteMethod;

/// Every account route, with its full path.
pub fn table() -> Vec<(&'static str, RouteMethod)> {
    [login::routes(), signup::routes(), password::routes(), profile::routes()]
        .into_iter()
        .flatten()
        .collect()
}
