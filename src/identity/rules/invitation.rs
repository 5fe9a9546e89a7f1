//! Invitations: how an organisation gets its people. An owner (or the platform, creating an organisation) invites an
//! e-mail address into a role the organisation's kind allows; the link is one-time and expires; the invitee sets their
//! own name and password. What an invitation is at a moment, what its link's problem is, and the e-mail that carries it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Email, check_password};
use super::auth::Role;
use crate::codes::{ErrorCode, FieldError, Refusal, check_text};

/// How long a link stays good: a week, long enough for someone back from a shift pattern, short enough that a
/// forwarded or forgotten mail does not open an account months later.
pub const INVITATION_TTL: Duration = Duration::days(7);

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent, not used, not revoked, not expired.
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    /// The status of an invitation with these dates at `now`: used or revoked first (whatever the expiry), then
    /// expired, else pending.
    pub fn at(
        accepted_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        match (accepted_at, revoked_at) {
            (Some(_), _) => Self::Accepted,
            (None, Some(_)) => Self::Revoked,
            (None, None) if now >= expires_at => Self::Expired,
            (None, None) => Self::Pending,
        }
    }

    /// Why a link of an invitation in this status cannot be used (None: it can).
    pub const fn problem(self) -> Option<InvitationProblem> {
        match self {
            Self::Pending => None,
            Self::Accepted => Some(InvitationProblem::Used),
            Self::Revoked => Some(InvitationProblem::Revoked),
            Self::Expired => Some(InvitationProblem::Expired),
        }
    }
}

/// Why an invitation link cannot be used. The token is the secret, so saying which is safe and tells the invitee what
/// to do: sign in (used), or ask for a new link (expired, revoked, unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum InvitationProblem {
    /// No invitation has this link (mistyped, or cut short by a mail program).
    Unknown,
    Expired,
    /// Already accepted: the account exists; sign in.
    Used,
    Revoked,
}

impl Refusal for InvitationProblem {
    /// 404 for a link that names nothing; 410 Gone for one that did and no longer works.
    fn status(&self) -> u16 {
        match self {
            Self::Unknown => 404,
            Self::Expired | Self::Used | Self::Revoked => 410,
        }
    }
}

/// What an owner submits to invite someone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInput {
    pub email: String,
    pub role: String,
    /// The stock room department the person joins on accepting (optional; the organisation's own, not archived:
    /// the database checks).
    #[serde(default)]
    pub department: Option<i32>,
}

/// An invitation that passed the rules of its fields (whether the role fits the organisation is the service's check,
/// which knows the organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub email: Email,
    pub role: Role,
    pub department: Option<i32>,
}

impl InvitationInput {
    pub fn validate(&self) -> Result<NewInvitation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = Email::parse(&self.email).map_err(|c| errors.push(FieldError::new("email", c))).ok();
        let role = match Role::parse(&self.role) {
            Some(r) => Some(r),
            None if self.role.is_empty() => {
                errors.push(FieldError::new("role", ErrorCode::Required));
                None
            }
            None => {
                errors.push(FieldError::new("role", ErrorCode::RoleNotAllowed));
                None
            }
        };
        if self.department.is_some_and(|d| d < 1) {
            errors.push(FieldError::new("department", ErrorCode::NotFound));
        }
        match (email, role) {
            (Some(email), Some(role)) if errors.is_empty() => {
                Ok(NewInvitation { email, role, department: self.department })
            }
            _ => Err(errors),
        }
    }
}

/// What an invitee submits with the link's token: their own name and password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptInput {
    pub token: String,
    pub name: String,
    pub password: String,
}

/// The longest token a link carries (`random_token`: 43 characters); anything longer is no token of ours.
pub const TOKEN_MAX_CHARS: usize = 100;

impl AcceptInput {
    /// The name, checked; every field's problem at once. The password's commonness is the service's check.
    pub fn validate(&self) -> Result<String, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = check_text("name", &self.name, true, 120).map_err(|e| errors.push(e)).ok();
        if let Err(c) = check_password(&self.password) {
            errors.push(FieldError::new("password", c));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(name),
            _ => Err(errors),
        }
    }
}

/// The language of a message sent outside the app (an e-mail): an invitation's is the inviter's, since the invitee's
/// is not known yet; a notice's is the one its reader chose (`notify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Es,
    En,
}
crate::codes::text_enum!(Language "language" { Es => "es", En => "en" });

/// The e-mail that carries an invitation: subject and plain text, in `lang`. `role` is the role's name in that
/// language (the UI's vocabulary, passed in by the edge that knows it).
pub fn invitation_mail(
    lang: Language,
    organisation: &str,
    inviter: &str,
    role: &str,
    link: &str,
    expires: DateTime<Utc>,
) -> (String, String) {
    let expires = expires.format("%Y-%m-%d %H:%M UTC");
    match lang {
        Language::Es => (
            format!("{inviter} te invita a {organisation} en Nexus"),
            format!(
                "Hola:\n\n{inviter} te invita a unirte a {organisation} en Nexus con el rol de {role}.\n\n\
                 Para crear tu cuenta, abre este enlace y elige tu contraseña:\n{link}\n\n\
                 El enlace sirve una sola vez y vence el {expires}. Si no esperabas esta invitación, ignora este \
                 correo: sin abrir el enlace no se crea ninguna cuenta.\n\n— Nexus\n"
            ),
        ),
        Language::En => (
            format!("{inviter} invites you to {organisation} on Nexus"),
            format!(
                "Hello,\n\n{inviter} invites you to join {organisation} on Nexus as {role}.\n\n\
                 To create your account, open this link and choose your password:\n{link}\n\n\
                 The link works once and expires on {expires}. If you did not expect this invitation, ignore this \
                 e-mail: no account is created unless the link is opened.\n\n— Nexus\n"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
    }

    #[test]
    fn an_invitation_is_used_or_revoked_before_it_is_expired_and_pending_until_then() {
        use InvitationStatus::*;
        let expires = at(12);
        assert_eq!(InvitationStatus::at(None, None, expires, at(11)), Pending);
        assert_eq!(InvitationStatus::at(None, None, expires, at(12)), Expired);
        assert_eq!(InvitationStatus::at(Some(at(10)), None, expires, at(13)), Accepted);
        assert_eq!(InvitationStatus::at(None, Some(at(10)), expires, at(13)), Revoked);
        assert_eq!(Pending.problem(), None);
        assert_eq!(Accepted.problem(), Some(InvitationProblem::Used));
        assert_eq!(Expired.problem().map(|p| p.status()), Some(410));
        assert_eq!(InvitationProblem::Unknown.status(), 404);
        let wire = serde_json::to_value(InvitationProblem::Expired).unwrap();
        assert_eq!(wire, serde_json::json!({ "problem": "expired" }));
    }

    #[test]
    fn an_invitation_names_an_address_and_a_role_and_says_every_problem_at_once() {
        let ok = InvitationInput { email: " Luis@Planta.MX ".into(), role: "manager".into(), department: None }
            .validate()
            .unwrap();
        assert_eq!((ok.email.as_str(), ok.role), ("luis@planta.mx", Role::Manager));
        let errs =
            InvitationInput { email: "luis".into(), role: "jefe".into(), department: Some(0) }.validate().unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("email", ErrorCode::EmailInvalid),
                ("role", ErrorCode::RoleNotAllowed),
                ("department", ErrorCode::NotFound)
            ]
        );
        let errs = InvitationInput::default().validate().unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("email", ErrorCode::Required), ("role", ErrorCode::Required)]);
    }

    #[test]
    fn accepting_needs_a_name_and_a_password_of_the_policy() {
        let input = AcceptInput { token: "t".into(), name: " Luis ".into(), password: "una frase larga".into() };
        assert_eq!(input.validate().unwrap(), "Luis");
        let errs = AcceptInput { token: "t".into(), name: "".into(), password: "corta".into() }.validate().unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("name", ErrorCode::Required), ("password", ErrorCode::PasswordTooShort)]);
    }

    #[test]
    fn the_mail_carries_the_link_the_role_and_when_it_expires_in_the_inviters_language() {
        let (subject, body) =
            invitation_mail(Language::Es, "Planta Demo", "Rosa", "gerente", "https://n.mx/invitation/abc", at(12));
        assert_eq!(subject, "Rosa te invita a Planta Demo en Nexus");
        assert!(body.contains("https://n.mx/invitation/abc\n") && body.contains("rol de gerente"), "{body}");
        assert!(body.contains("2026-11-26 12:00 UTC"), "{body}");
        let (subject, body) =
            invitation_mail(Language::En, "Demo Plant", "Rosa", "manager", "https://n.mx/invitation/abc", at(12));
        assert_eq!(subject, "Rosa invites you to Demo Plant on Nexus");
        assert!(body.contains("as manager.") && body.contains("https://n.mx/invitation/abc"), "{body}");
    }
}
