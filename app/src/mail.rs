//! Outgoing e-mail: SMTP through lettre, or an outbox folder when no SMTP server is configured.

use std::path::PathBuf;

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};

use crate::config::{Settings, SmtpSecurity};

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
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted())
                    .await
                    .with_context(|| format!("cannot write {}", path.display()))?;
                let links: Vec<&str> =
                    mail.body.split_whitespace().filter(|word| word.starts_with("http")).collect();
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    path = %path.display(),
                    links = ?links,
                    "no SMTP server configured: wrote the e-mail to the outbox"
                );
            }
        }
        Ok(())
    }
}
