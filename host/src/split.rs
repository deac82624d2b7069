//! Champion/challenger: a share of the accounts decided by a challenger pack, the rest by the
//! champion, so that a policy change can be measured on live accounts before it replaces the old one.
//!
//! Each account's arm comes from its id alone: the first eight bytes of
//! `SHA-256("crm-rules/arm/v1\0" + account.id)`, read big-endian, taken modulo 10,000, fall below
//! the share in basis points for the challenger. An account stays in its arm on every run, on
//! every machine and in every process (batch, sidecar, library), and raising the share only moves
//! accounts from the champion to the challenger, never back.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::pack::RulePack;

/// The part of all accounts a challenger decides, in basis points (0 to 10,000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Share(u16);

/// The whole: every account.
const ALL: u16 = 10_000;

impl Share {
    /// A share of `basis_points` / 10,000, or `None` above 10,000.
    pub fn from_basis_points(basis_points: u16) -> Option<Share> {
        (basis_points <= ALL).then_some(Share(basis_points))
    }

    /// The share in basis points.
    pub fn basis_points(self) -> u16 {
        self.0
    }
}

/// A share that is not a percentage from 0 to 100 with at most two decimals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a share of accounts: give a percentage from 0 to 100 with at most two \
     decimals, like `10%` or `2.5%`"
)]
pub struct ShareError {
    given: String,
}

impl FromStr for Share {
    type Err = ShareError;

    /// Reads `10%`, `2.5%` or `10` (a percentage, the `%` optional).
    fn from_str(text: &str) -> Result<Share, ShareError> {
        let error = || ShareError {
            given: text.to_owned(),
        };
        let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
        let percent = Decimal::from_str_exact(number).map_err(|_| error())?;
        if percent.is_sign_negative() || percent.scale() > 2 || percent > Decimal::ONE_HUNDRED {
            return Err(error());
        }
        let basis_points = (percent * Decimal::ONE_HUNDRED).normalize();
        u16::try_from(basis_points.mantissa())
            .ok()
            .filter(|_| basis_points.scale() == 0)
            .and_then(Share::from_basis_points)
            .ok_or_else(error)
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", Decimal::new(i64::from(self.0), 2).normalize())
    }
}

/// Which pack decides an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arm {
    /// The pack in force.
    Champion,
    /// The pack being tried on a share of the accounts.
    Challenger,
}

impl Arm {
    /// `champion` or `challenger`, as decisions record it.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Champion => "champion",
            Arm::Challenger => "challenger",
        }
    }
}

/// The arm of the account `account_id` when the challenger has `share` of the accounts.
pub fn arm_for(account_id: &str, share: Share) -> Arm {
    if bucket(account_id) < u64::from(share.0) {
        Arm::Challenger
    } else {
        Arm::Champion
    }
}

/// The account's place among 10,000 buckets: the challenger takes the lowest `share` of them.
fn bucket(account_id: &str) -> u64 {
    let digest = Sha256::new()
        .chain_update(b"crm-rules/arm/v1\0")
        .chain_update(account_id.as_bytes())
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % u64::from(ALL)
}

/// A challenger pack and the share of accounts it decides; the champion is the pack it is paired
/// with.
#[derive(Clone, Copy)]
pub struct Split<'a> {
    /// The pack tried on `share` of the accounts.
    pub challenger: &'a RulePack,
    /// The share of accounts it decides.
    pub share: Share,
}

impl<'a> Split<'a> {
    /// The arm of the context `text` (JSON): from its `account.id`, read without parsing the rest.
    /// A context without one is the champion's, whose reader then reports what is wrong with it.
    pub fn arm_of_text(&self, text: &str) -> Arm {
        account_id_of(text).map_or(Arm::Champion, |id| arm_for(&id, self.share))
    }

    /// The pack of `arm`: the challenger, or `champion`.
    pub fn pack(self, champion: &'a RulePack, arm: Arm) -> &'a RulePack {
        match arm {
            Arm::Champion => champion,
            Arm::Challenger => self.challenger,
        }
    }
}

/// The `account.id` of a JSON context, skimming the rest.
fn account_id_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        account: AccountProbe,
    }
    #[derive(serde::Deserialize)]
    struct AccountProbe {
        id: String,
    }
    serde_json::from_str::<Probe>(text)
        .ok()
        .map(|probe| probe.account.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_as_percentages_with_two_decimals_at_most() {
        let bp = |text: &str| text.parse::<Share>().map(Share::basis_points);
        assert_eq!(bp("10%"), Ok(1000));
        assert_eq!(bp("2.5%"), Ok(250));
        assert_eq!(bp("0.01"), Ok(1));
        assert_eq!(bp("100"), Ok(10_000));
        assert_eq!(bp("0%"), Ok(0));
        for bad in ["-1%", "100.01%", "0.001%", "ten", "", "1e2"] {
            let error = bad.parse::<Share>().expect_err(bad).to_string();
            assert!(error.contains("percentage from 0 to 100"), "{bad}: {error}");
        }
        assert_eq!(Share(250).to_string(), "2.5%");
        assert_eq!(Share(1000).to_string(), "10%");
    }

    #[test]
    fn arms_are_stable_and_the_share_is_kept() {
        // Pinned: an account's bucket, hence its arm, must never change between releases.
        let buckets: Vec<u64> = ["acc_1", "acc_2", "acc_3", "acc_4", "acc_5"]
            .into_iter()
            .map(bucket)
            .collect();
        assert_eq!(buckets, [4367, 4055, 8897, 2073, 7856]);
        assert_eq!(arm_for("acc_4", Share(2074)), Arm::Challenger);
        assert_eq!(arm_for("acc_4", Share(2073)), Arm::Champion);
        let ten = Share(1000);
        let challengers = (0..20_000)
            .filter(|n| arm_for(&format!("acc_{n}"), ten) == Arm::Challenger)
            .count();
        assert!(
            (1800..2200).contains(&challengers),
            "{challengers} of 20,000"
        );
        assert_eq!(arm_for("acc_1", Share(0)), Arm::Champion);
        assert_eq!(arm_for("acc_1", Share(ALL)), Arm::Challenger);
    }

    #[test]
    fn raising_the_share_only_moves_accounts_to_the_challenger() {
        for n in 0..2000 {
            let id = format!("acc_{n}");
            if arm_for(&id, Share(500)) == Arm::Challenger {
                assert_eq!(arm_for(&id, Share(2000)), Arm::Challenger, "{id}");
            }
        }
    }

    #[test]
    fn the_arm_of_a_context_comes_from_its_account_id_alone() {
        assert_eq!(
            account_id_of(r#"{"now": 1, "account": {"name": "x", "id": "acc_4"}}"#).as_deref(),
            Some("acc_4")
        );
        assert_eq!(account_id_of(r#"{"account": {"id": 4}}"#), None);
        assert_eq!(account_id_of("not json"), None);
    }
}
