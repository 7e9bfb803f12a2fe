//! The texts of the e-mails the site sends: plain text, one function per mail.

/// A mail's subject and body; the handler addresses it.
#[derive(Debug, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub body: String,
}

pub struct ActivationMail<'a> {
    pub site_name: &'a str,
    pub username: &'a str,
    /// The whole link, with the site's public address.
    pub link: &'a str,
    pub valid_days: u32,
}

pub fn activation(mail: &ActivationMail<'_>) -> MailText {
    let ActivationMail { site_name, username, link, valid_days } = mail;
    MailText {
        subject: format!("Activate your account on {site_name}"),
        body: format!(
            "Hello {username},\n\nplease open this link to activate your account:\n\n{link}\n\n\
             The link is valid for {valid_days} days. If you did not sign up, ignore this e-mail.\n\n\
             The {site_name} team\n"
        ),
    }
}

pub struct PasswordResetMail<'a> {
    pub site_name: &'a str,
    pub username: &'a str,
    pub link: &'a str,
    pub valid_hours: u32,
}

pub fn password_reset(mail: &PasswordResetMail<'_>) -> MailText {
    let PasswordResetMail { site_name, username, link, valid_hours } = mail;
    MailText {
        subject: format!("Recover your password on {site_name}"),
        body: format!(
            "Hello {username},\n\nsomebody (hopefully you) asked to set a new password for your account. \
             Open this link to do so:\n\n{link}\n\nThe link works once, within {valid_hours} hours. \
             If you did not ask for it, ignore this e-mail; your password stays as it is.\n\n\
             The {site_name} team\n"
        ),
    }
}

pub struct InvitationMail<'a> {
    pub site_name: &'a str,
    pub username: &'a str,
    pub link: &'a str,
    pub valid_days: u32,
}

/// To a student whose account staff created: how to set a password.
pub fn invitation(mail: &InvitationMail<'_>) -> MailText {
    let InvitationMail { site_name, username, link, valid_days } = mail;
    MailText {
        subject: format!("Your account on {site_name}"),
        body: format!(
            "Hello,\n\nthe course staff created an account for you on {site_name}; your user name is {username}. \
             Open this link to choose your password:\n\n{link}\n\nThe link works once, within {valid_days} days. \
             Should it have expired, ask for a new one with \"Forgot your password?\" on the login page.\n\n\
             The {site_name} team\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(mail: MailText) -> String {
        format!("Subject: {}\n\n{}", mail.subject, mail.body)
    }

    #[test]
    fn the_activation_mail() {
        insta::assert_snapshot!(shown(activation(&ActivationMail {
            site_name: "INLOOP",
            username: "ada",
            link: "https://inloop.example/account/activate/TOKEN",
            valid_days: 7,
        })));
    }

    #[test]
    fn the_password_reset_mail() {
        insta::assert_snapshot!(shown(password_reset(&PasswordResetMail {
            site_name: "INLOOP",
            username: "ada",
            link: "https://inloop.example/account/password-reset/TOKEN",
            valid_hours: 2,
        })));
    }
}
