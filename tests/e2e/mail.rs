//! E-mail through a real SMTP conversation: a small SMTP server on loopback that the
//! application's mailer (lettre) talks to, with authentication, as it would to a course's relay.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use inloop_app::{
    config::{Secret, SmtpSecurity, SmtpSettings},
    db::users::Role,
};
use inloop_tests::{TestApp, eventually, spawn_app_with};
use reqwest::StatusCode;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// What the SMTP server heard: the commands, and each message's data.
#[derive(Default)]
struct Heard {
    commands: Vec<String>,
    messages: Vec<String>,
    deferred: usize,
}

/// Accepts every connection on a loopback port and speaks just enough SMTP to take messages;
/// the first `defer` messages it turns away for now (451), as a busy or greylisting relay does.
async fn smtp_server(defer: usize) -> (u16, Arc<Mutex<Heard>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let port = listener.local_addr().expect("address").port();
    let heard = Arc::new(Mutex::new(Heard::default()));
    let record = heard.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut lines = BufReader::new(reader).lines();
                let _ = writer.write_all(b"220 sink.test ESMTP\r\n").await;
                let mut in_data = false;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let answer: &[u8] = {
                                let mut heard = record.lock().expect("lock");
                                let message = std::mem::take(&mut message);
                                if heard.deferred < defer {
                                    heard.deferred += 1;
                                    b"451 4.7.1 try again later\r\n"
                                } else {
                                    heard.messages.push(message);
                                    b"250 2.0.0 queued\r\n"
                                }
                            };
                            let _ = writer.write_all(answer).await;
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    record.lock().expect("lock").commands.push(line.clone());
                    let verb = line.split_whitespace().next().unwrap_or_default().to_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n",
                        "AUTH" => b"235 2.7.0 accepted\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = writer.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = writer.write_all(answer).await;
                }
            });
        }
    });
    (port, heard)
}

async fn app_with_relay_on(port: u16) -> TestApp {
    spawn_app_with(|settings| {
        settings.smtp = Some(SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port: Some(port),
            username: Some("inloop".to_owned()),
            password: Some(Secret::new("relay password")),
            security: SmtpSecurity::None,
        });
    })
    .await
}

/// The commands the relay heard and the first message it took, once it took one.
async fn first_message(heard: &Mutex<Heard>, within: Duration) -> (Vec<String>, String) {
    eventually(within, "no message arrived", || {
        let heard = heard.lock().expect("lock");
        std::future::ready(
            heard.messages.first().map(|message| (heard.commands.clone(), message.clone())),
        )
    })
    .await
}

#[tokio::test]
async fn mail_goes_out_over_smtp_with_the_relays_credentials() {
    let (port, heard) = smtp_server(0).await;
    let app = app_with_relay_on(port).await;
    app.create_user("carol", Role::Student).await;
    app.post_form("/account/password-reset", &[("email", "carol@example.org")])
        .await
        .assert_contains("Check your mailbox");

    let (commands, message) = first_message(&heard, Duration::from_secs(10)).await;
    // Undo quoted-printable line folding, as a mail client would.
    let message = message.replace("=\n", "").replace("=3D", "=");
    // AUTH PLAIN carries "\0user\0password" in base64.
    assert!(
        commands.contains(&"AUTH PLAIN AGlubG9vcAByZWxheSBwYXNzd29yZA==".to_owned()),
        "{commands:?}"
    );
    assert!(commands.iter().any(|line| line.contains("<carol@example.org>")), "{commands:?}");
    assert!(message.contains("Subject: Recover your password on INLOOP"), "{message}");
    let link = message
        .split_whitespace()
        .find(|word| word.contains("/account/password-reset/"))
        .expect("the reset link")
        .to_owned();
    let path = &link[link.find("/account/").expect("path")..];
    app.get(path).await.assert_contains("Set a new password");
    assert!(app.mails().is_empty(), "nothing went to the outbox folder");
}

#[tokio::test]
async fn a_relay_that_turns_a_mail_away_for_now_gets_it_again_later() {
    let (port, heard) = smtp_server(1).await;
    let app = app_with_relay_on(port).await;
    app.create_user("carol", Role::Student).await;
    let asked = Instant::now();
    app.post_form("/account/password-reset", &[("email", "carol@example.org")])
        .await
        .assert_contains("Check your mailbox");
    let (_, message) = first_message(&heard, Duration::from_secs(20)).await;
    assert!(message.contains("Subject: Recover your password on INLOOP"), "{message}");
    assert_eq!(heard.lock().expect("lock").deferred, 1);
    assert!(asked.elapsed() >= Duration::from_secs(5), "the second try waits a moment");
}

#[tokio::test]
async fn while_the_relay_is_down_a_reset_request_still_reveals_no_account() {
    // A loopback port nobody listens on: connections are refused at once.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.local_addr().expect("address").port()
    };
    let app = app_with_relay_on(port).await;
    app.create_user("carol", Role::Student).await;
    let known = app.post_form("/account/password-reset", &[("email", "carol@example.org")]).await;
    let unknown = app.post_form("/account/password-reset", &[("email", "ghost@example.org")]).await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    assert_eq!(unknown.status, StatusCode::OK);
    known.assert_contains("Check your mailbox");
    assert_eq!(known.main_content(), unknown.main_content());
}
