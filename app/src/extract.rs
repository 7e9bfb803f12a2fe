//! `Ctx`, the one extractor page handlers take: the session, the logged-in user (if any), and
//! helpers to answer with a page, a fragment or a redirect.

use maud::Markup;
use poem::{
    FromRequest, Request, RequestBody, Response,
    http::{StatusCode, header},
    session::Session,
    web::cookie::CookieJar,
};

use crate::{
    auth, csrf,
    db::{self, users::User},
    error::AppError,
    frame, http, paths,
    session::{FlashLevel, TypedSession},
    state::AppState,
    views::{self, layout::Chrome},
};

pub struct Ctx {
    pub state: AppState,
    pub session: Session,
    /// The request's cookies; cookies added here are sent with the answer.
    pub cookies: CookieJar,
    pub user: Option<User>,
    pub htmx: bool,
    pub path: String,
    pub path_and_query: String,
    /// The client's address, for rate limits: the peer, or the proxy's `X-Forwarded-For`; for
    /// IPv6 its /64.
    pub client_address: String,
}

/// Paths a student may open before confirming the own-work declaration.
const OWNWORK_EXEMPT: &[&str] = &[paths::CONFIRM_OWNWORK, paths::LOGOUT, paths::PRIVACY];

impl<'a> FromRequest<'a> for Ctx {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Ctx::resolve(req).await?)
    }
}

/// The visitor a guard already looked up for this request, so the handler's `Ctx` does not
/// ask the database again.
#[derive(Clone)]
struct Visitor(Option<User>);

impl Ctx {
    /// The context of a request: for handlers (as their extractor) and for guards.
    pub async fn resolve(req: &Request) -> Result<Ctx, AppError> {
        let state = req
            .data::<AppState>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?;
        let session = req
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session middleware missing")))?;
        let typed = TypedSession(&session);
        let mut user = None;
        if let Some(Visitor(known)) = req.extensions().get::<Visitor>() {
            user.clone_from(known);
        } else if let Some(user_id) = typed.user_id() {
            let found = db::users::find_by_id(&state.db, user_id).await.map_err(AppError::from)?;
            // A deactivated account or a changed password ends every session of that account.
            match found {
                Some(found)
                    if found.is_active
                        && typed.password_fingerprint().as_deref()
                            == Some(auth::password_fingerprint(&found.password_hash).as_str()) =>
                {
                    user = Some(found);
                }
                _ => typed.log_out(),
            }
        }
        // Nested routes see a shortened URI; links and redirects need the one the browser sent.
        let uri = req.original_uri();
        let path = uri.path().to_owned();
        let path_and_query =
            uri.path_and_query().map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
        let client_address = client_address(req, state.settings.behind_proxy);
        let ctx = Ctx {
            state,
            session,
            cookies: req.cookie().clone(),
            user,
            htmx: http::is_htmx(req),
            path,
            path_and_query,
            client_address,
        };
        ctx.enforce_ownwork_declaration().await?;
        Ok(ctx)
    }

    /// Keeps the visitor this context found for the rest of the request's way.
    pub fn remember(&self, req: &mut Request) {
        req.extensions_mut().insert(Visitor(self.user.clone()));
    }

    async fn enforce_ownwork_declaration(&self) -> Result<(), AppError> {
        let Some(user) = &self.user else { return Ok(()) };
        if user.role.is_staff() || user.ownwork_confirmed_at.is_some() {
            return Ok(());
        }
        if OWNWORK_EXEMPT.contains(&self.path.as_str()) {
            return Ok(());
        }
        if self.state.site_settings().await?.require_ownwork_declaration {
            return Err(AppError::Redirect(paths::CONFIRM_OWNWORK.to_owned()));
        }
        Ok(())
    }

    pub fn typed_session(&self) -> TypedSession<'_> {
        TypedSession(&self.session)
    }

    pub fn require_user(&self) -> Result<&User, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::LoginRequired { next: self.path_and_query.clone() })
    }

    /// Staff pages do not exist for anybody else: students get the same 404 as for a typo.
    pub fn require_staff(&self) -> Result<&User, AppError> {
        let user = self.require_user()?;
        if user.role.is_staff() { Ok(user) } else { Err(AppError::NotFound) }
    }

    pub fn require_admin(&self) -> Result<&User, AppError> {
        let user = self.require_user()?;
        if user.role == db::users::Role::Admin { Ok(user) } else { Err(AppError::NotFound) }
    }

    pub fn flash(&self, level: FlashLevel, text: impl Into<String>) {
        self.typed_session().flash(level, text);
    }

    /// The token this visitor's forms carry: their session's once logged in; before that one in
    /// a cookie, so a visitor who only looks creates no session.
    pub fn csrf_token(&self) -> String {
        let session = self.typed_session();
        if session.user_id().is_some() {
            session.csrf_token()
        } else {
            csrf::anonymous_token_or_new(&self.cookies, self.state.settings.is_https())
        }
    }

    pub fn chrome(&self) -> Chrome {
        frame::for_visitor(&self.state, self.typed_session(), self.user.as_ref(), self.csrf_token())
    }

    /// The fragment alone for htmx, the whole document otherwise.
    pub fn render(&self, title: &str, fragment: Markup) -> Response {
        self.render_with_status(StatusCode::OK, title, fragment)
    }

    pub fn render_with_status(
        &self,
        status: StatusCode,
        title: &str,
        fragment: Markup,
    ) -> Response {
        self.render_page(status, title, fragment, ExtraAssets::None)
    }

    /// Like `render_with_status`, for pages that need more scripts and styles than the rest.
    pub fn render_page(
        &self,
        status: StatusCode,
        title: &str,
        fragment: Markup,
        extra: ExtraAssets,
    ) -> Response {
        let mut chrome = self.chrome();
        if extra == ExtraAssets::Editor {
            chrome.page_assets = frame::editor_assets(&self.state);
        }
        let markup = if self.htmx {
            views::layout::fragment(&chrome, title, &fragment)
        } else {
            views::layout::page(&chrome, title, &fragment)
        };
        Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(markup.into_string())
    }
}

/// Behind the proxy, the client is the last address in `X-Forwarded-For`: the one our proxy
/// added. Earlier entries come from the client itself and could name anybody, which would let
/// one client spread its attempts over made-up addresses and dodge the per-address limits.
fn client_address(req: &Request, behind_proxy: bool) -> String {
    if behind_proxy
        && let Some(forwarded) = req.header("X-Forwarded-For")
        && let Some(last) = forwarded.rsplit(',').next()
        && !last.trim().is_empty()
    {
        let last = last.trim();
        return last.parse().map_or_else(|_| last.to_owned(), network_of);
    }
    req.remote_addr()
        .as_socket_addr()
        .map_or_else(|| "unknown".to_owned(), |addr| network_of(addr.ip()))
}

/// What counts as one client for the limits: an IPv4 address, or an IPv6 /64, which is what one
/// subscriber gets (a client that hops between the addresses of its /64 is still one).
fn network_of(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
        std::net::IpAddr::V6(v6) => v6.to_canonical().to_string(),
        std::net::IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Scripts and styles a page needs beyond those every page has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraAssets {
    None,
    Editor,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_is_an_ipv4_address_or_an_ipv6_network() {
        let of = |text: &str| network_of(text.parse().expect("an address"));
        assert_eq!(of("203.0.113.9"), "203.0.113.9");
        assert_eq!(of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(of("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(of("::ffff:198.51.100.7"), "198.51.100.7");
    }
}
