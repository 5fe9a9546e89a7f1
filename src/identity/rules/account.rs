//! Account rules: e-mail and username syntax, the password policy, registration input.
//!
//! Validation returns every problem at once, field by field, so a form can show all its errors in one round trip.

use serde::{Deserialize, Serialize};

use super::auth::Role;
use super::tenant::TenantKind;
use crate::codes::{ErrorCode, FieldError, check_text};

/// ASVS 2.1.1: at least 12 characters. No composition rules (ASVS 2.1.9): length and the common-password list
/// (checked by the service) do the work.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Argon2 can hash anything, but an unbounded input is a denial-of-service lever.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// The password policy's length rule, counted in characters (Unicode scalar values, as JSON Schema's `minLength`
/// counts them): 12 to 128, any characters, spaces included (a passphrase is welcome).
pub fn check_password(password: &str) -> Result<(), ErrorCode> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(ErrorCode::PasswordTooShort);
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(ErrorCode::PasswordTooLong);
    }
    Ok(())
}

/// An e-mail address, trimmed and lower-cased. Syntax is checked loosely (one `@`, a dot in the domain, no spaces):
/// the only real check of an address is a message delivered to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ErrorCode> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(ErrorCode::Required);
        }
        if s.len() > Self::MAX_LEN {
            return Err(ErrorCode::TooLong);
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(ErrorCode::EmailInvalid);
        };
        let ok = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok { Ok(Self(s)) } else { Err(ErrorCode::EmailInvalid) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A login name: 3–32 characters of lower-case letters, digits, dot, dash or underscore.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ErrorCode> {
        let s = raw.trim().to_lowercase();
        let n = s.chars().count();
        if n == 0 {
            return Err(ErrorCode::Required);
        }
        if !(3..=32).contains(&n) || !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            return Err(ErrorCode::UsernameInvalid);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a visitor submits to register a workshop, a bodega or a plant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInput {
    pub name: String,
    pub email: String,
    pub password: String,
    pub business_name: String,
    pub phone: String,
    pub address: String,
    /// The kind of organisation: `workshop`, `warehouse` or `manufacturer`.
    #[serde(default)]
    pub kind: String,
    /// What clients sent before `kind` existed (`workshop` or `warehouse`): read only when `kind` is empty.
    #[serde(default)]
    pub role: String,
    /// The organisation's country, ISO 3166 (`MX`, `AR`, `CO`…); empty: Mexico.
    #[serde(default)]
    pub country: String,
    /// When it opens, as people write it ("Lun–Vie 9–18 h, Sáb 9–14 h"); optional.
    #[serde(default)]
    pub hours: String,
}

/// A registration that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub name: String,
    pub email: Email,
    pub password: String,
    pub business_name: String,
    pub phone: String,
    pub address: String,
    pub kind: TenantKind,
    /// The first account's role: [`TenantKind::first_role`].
    pub role: Role,
    pub country: String,
    pub hours: String,
}

impl RegistrationInput {
    pub fn validate(&self) -> Result<Registration, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = check_text("name", &self.name, true, 120).map_err(|e| errors.push(e)).ok();
        let email = Email::parse(&self.email).map_err(|c| errors.push(FieldError::new("email", c))).ok();
        if let Err(c) = check_password(&self.password) {
            errors.push(FieldError::new("password", c));
        }
        let business_name =
            check_text("business_name", &self.business_name, true, 160).map_err(|e| errors.push(e)).ok();
        let phone = check_text("phone", &self.phone, true, 40).map_err(|e| errors.push(e)).ok();
        let address = check_text("address", &self.address, true, 240).map_err(|e| errors.push(e)).ok();
        let kind = self.kind().map_err(|e| errors.push(e)).ok();
        let country = super::tenant::check_country("country", &self.country).map_err(|e| errors.push(e)).ok();
        let hours = check_text("hours", &self.hours, false, 200).map_err(|e| errors.push(e)).ok();
        match (name, email, business_name, phone, address, kind, country, hours) {
            (
                Some(name),
                Some(email),
                Some(business_name),
                Some(phone),
                Some(address),
                Some(kind),
                Some(country),
                Some(hours),
            ) if errors.is_empty() => {
                let password = self.password.clone();
                let role = kind.first_role();
                Ok(Registration { name, email, password, business_name, phone, address, kind, role, country, hours })
            }
            _ => Err(errors),
        }
    }

    /// The kind asked for: `kind`, else the kind an older client's `role` stands for. Unknown or not open to
    /// registration (the platform): `kind_not_allowed` (`role_not_allowed` on `role`).
    fn kind(&self) -> Result<TenantKind, FieldError> {
        if !self.kind.is_empty() || self.role.is_empty() {
            return match TenantKind::parse(&self.kind) {
                Some(k) if k.self_registrable() => Ok(k),
                _ if self.kind.is_empty() => Err(FieldError::new("kind", ErrorCode::Required)),
                _ => Err(FieldError::new("kind", ErrorCode::KindNotAllowed)),
            };
        }
        Role::parse(&self.role)
            .and_then(TenantKind::for_registration)
            .ok_or_else(|| FieldError::new("role", ErrorCode::RoleNotAllowed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(password: &str, expected: Result<(), ErrorCode>) {
        assert_eq!(check_password(password), expected, "{password:?}");
    }

    #[test]
    fn password_policy() {
        check("Contraseña-99", Ok(()));
        // No composition rules: a lower-case passphrase is as good as any twelve characters.
        check("caballo grapa bateria", Ok(()));
        check("ABCDEFGHIJKL", Ok(()));
        check("Ab1", Err(ErrorCode::PasswordTooShort));
        check("Abcdefgh-10", Err(ErrorCode::PasswordTooShort));
        check(&"x".repeat(128), Ok(()));
        check(&"x".repeat(129), Err(ErrorCode::PasswordTooLong));
        // characters, not bytes: twelve accented letters are twelve characters
        check("ñññññññññññ1", Ok(()));
    }

    #[test]
    fn email_syntax() {
        assert_eq!(Email::parse("  Ana@Taller.MX ").unwrap().as_str(), "ana@taller.mx");
        for bad in [
            "",
            "ana",
            "ana@",
            "@taller.mx",
            "ana@taller",
            "ana@@taller.mx",
            "a na@taller.mx",
            "ana@.mx",
            "ana@taller..mx",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Email::parse("").unwrap_err(), ErrorCode::Required);
    }

    #[test]
    fn username_syntax() {
        assert_eq!(Username::parse("Bodega_Norte").unwrap().as_str(), "bodega_norte");
        assert_eq!(Username::parse("ab").unwrap_err(), ErrorCode::UsernameInvalid);
        assert_eq!(Username::parse("ana@x").unwrap_err(), ErrorCode::UsernameInvalid);
        assert_eq!(Username::parse(" ").unwrap_err(), ErrorCode::Required);
    }

    fn valid_input() -> RegistrationInput {
        RegistrationInput {
            name: "Ana Pérez".into(),
            email: "ana@bodega.mx".into(),
            password: "Secreta-Larga-123".into(),
            business_name: "Bodega Norte".into(),
            phone: "+52 55 1234 5678".into(),
            address: "Av. Central 10, CDMX".into(),
            kind: "warehouse".into(),
            role: String::new(),
            country: String::new(),
            hours: String::new(),
        }
    }

    #[test]
    fn registration_accepts_a_complete_form() {
        let r = valid_input().validate().unwrap();
        assert_eq!((r.kind, r.role), (TenantKind::Warehouse, Role::Warehouse));
        assert_eq!(r.email.as_str(), "ana@bodega.mx");
    }

    #[test]
    fn a_plant_registers_itself_and_its_first_account_is_its_owner() {
        let r = RegistrationInput { kind: "manufacturer".into(), ..valid_input() }.validate().unwrap();
        assert_eq!((r.kind, r.role), (TenantKind::Manufacturer, Role::Owner));
    }

    #[test]
    fn the_kind_decides_and_an_older_clients_role_still_names_one() {
        let kind = |kind: &str, role: &str| {
            RegistrationInput { kind: kind.into(), role: role.into(), ..valid_input() }
                .validate()
                .map(|r| r.kind)
                .map_err(|e| e.iter().map(|e| (e.field.clone(), e.code)).collect::<Vec<_>>())
        };
        assert_eq!(kind("", "workshop"), Ok(TenantKind::Workshop));
        assert_eq!(kind("", "warehouse"), Ok(TenantKind::Warehouse));
        assert_eq!(kind("manufacturer", "workshop"), Ok(TenantKind::Manufacturer));
        assert_eq!(kind("", ""), Err(vec![("kind".into(), ErrorCode::Required)]));
        assert_eq!(kind("platform", ""), Err(vec![("kind".into(), ErrorCode::KindNotAllowed)]));
        assert_eq!(kind("bank", "workshop"), Err(vec![("kind".into(), ErrorCode::KindNotAllowed)]));
        assert_eq!(kind("", "owner"), Err(vec![("role".into(), ErrorCode::RoleNotAllowed)]));
        assert_eq!(kind("", "admin"), Err(vec![("role".into(), ErrorCode::RoleNotAllowed)]));
    }

    #[test]
    fn registration_reports_every_field_at_once() {
        let input = RegistrationInput {
            role: "admin".into(),
            country: String::new(),
            hours: String::new(),
            password: "short".into(),
            email: "x".into(),
            ..Default::default()
        };
        let errs = input.validate().unwrap_err();
        let fields: Vec<(&str, ErrorCode)> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("name", ErrorCode::Required),
                ("email", ErrorCode::EmailInvalid),
                ("password", ErrorCode::PasswordTooShort),
                ("business_name", ErrorCode::Required),
                ("phone", ErrorCode::Required),
                ("address", ErrorCode::Required),
                ("role", ErrorCode::RoleNotAllowed),
            ]
        );
    }

    proptest! {
        #[test]
        fn policy_never_panics_and_accepts_only_compliant(s in "\\PC{0,40}") {
            let ok = check_password(&s).is_ok();
            let n = s.chars().count();
            prop_assert_eq!(ok, (12..=128).contains(&n));
        }

        #[test]
        fn email_parse_is_idempotent(s in "[a-zA-Z0-9.@ _-]{0,30}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
            }
        }
    }
}
