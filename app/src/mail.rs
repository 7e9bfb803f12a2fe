//! Outgoing e-mail: SMTP through lettre, or an outbox folder when no SMTP server is configured.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};

use crate::config::{Settings, SmtpSecurity};

/// Pauses before the second, third and fourth try of a mail sent in the background: long enough
/// for a relay to come back from a restart, short enough that a recovery link is still wanted.
const BACKGROUND_RETRY_PAUSES: [Duration; 3] =
    [Duration::from_secs(5), Duration::from_secs(30), Duration::from_secs(120)];

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Each mail becomes one `.eml` file; the demo and the tests read links from there.
    Outbox(PathBuf),
}

#[derive(Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let from: Mailbox = settings.mail_from.parse().with_context(|| {
            format!(
                "setting mail_from (INLOOP_MAIL_FROM) is not an address: {}",
                settings.mail_from
            )
        })?;
        let transport = match &settings.smtp {
            Some(smtp) => {
                let mut builder = match smtp.security {
                    SmtpSecurity::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .context("setting smtp.host: cannot set up STARTTLS")?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .context("setting smtp.host: cannot set up TLS")?,
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                };
                if let Some(port) = smtp.port {
                    builder = builder.port(port);
                }
                if let (Some(username), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder.credentials(Credentials::new(
                        username.clone(),
                        password.expose().to_owned(),
                    ));
                }
                Transport::Smtp(builder.build())
            }
            None => {
                let dir = settings.outbox_dir();
                std::fs::create_dir_all(&dir).with_context(|| {
                    format!(
                        "setting data_dir (INLOOP_DATA_DIR): cannot create the mail outbox {}",
                        dir.display()
                    )
                })?;
                Transport::Outbox(dir)
            }
        };
        Ok(Self { from, transport })
    }

    /// Sends from a task of its own and tries again after pauses while the mail server is away
    /// or refuses for now. For answers that must not wait for the mail server or change with it,
    /// such as a password reset, which would otherwise tell whether an address has an account.
    pub fn send_in_background(&self, mail: Mail, purpose: &'static str) {
        let mailer = self.clone();
        tokio::spawn(async move {
            let attempts = BACKGROUND_RETRY_PAUSES.len() + 1;
            for attempt in 1..=attempts {
                match mailer.send(mail.clone()).await {
                    Ok(()) => return,
                    Err(err) if attempt < attempts => {
                        let pause = BACKGROUND_RETRY_PAUSES[attempt - 1];
                        tracing::warn!(
                            error = %format!("{err:#}"),
                            purpose,
                            attempt,
                            retry_in_seconds = pause.as_secs(),
                            "could not send an e-mail; trying again"
                        );
                        tokio::time::sleep(pause).await;
                    }
                    Err(err) => tracing::error!(
                        error = %format!("{err:#}"),
                        purpose,
                        attempts,
                        "could not send an e-mail; gave up"
                    ),
                }
            }
        });
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let to: Mailbox =
            mail.to.parse().with_context(|| format!("bad recipient address {}", mail.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .context("cannot build the e-mail")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.context("the SMTP server refused the e-mail")?;
                tracing::info!(subject = %mail.subject, "sent an e-mail");
            }
            Transport::Outbox(dir) => {
                let name = format!(
                    "{}-{}.eml",
                    time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
                    uuid::Uuid::new_v4().simple()
                );
                let path = dir.join(&name);
                // Written beside and renamed, so whoever reads the outbox never sees half a mail.
                let partial = dir.join(format!("{name}.part"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .with_context(|| format!("cannot write {}", partial.display()))?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .with_context(|| format!("cannot rename {} to {name}", partial.display()))?;
                // Only where it is: its links are secrets and stay out of the log.
                tracing::info!(
                    subject = %mail.subject,
                    path = %path.display(),
                    "no SMTP server configured: wrote the e-mail to the outbox"
                );
            }
        }
        Ok(())
    }
}
