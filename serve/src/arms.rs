//! Champion/challenger on the sidecar (`--split CHAMPION=CHALLENGER:SHARE`): requests for the
//! champion's name are decided by the challenger for a share of the accounts, chosen from each
//! account's id as everywhere else ([`crm_rules_host::split`]); every decision says its `arm`, and
//! its pack hash says which version decided.

use std::str::FromStr;
use std::sync::Arc;

use crm_rules_host::RulePack;
use crm_rules_host::split::{Arm, Share, Split};

use crate::AppState;

/// A challenger for one served pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitConfig {
    /// The pack whose requests are split (the name clients call).
    pub champion: String,
    /// The pack that decides the challenger's share (served under its own name too).
    pub challenger: String,
    /// The share of accounts the challenger decides.
    pub share: Share,
}

/// A split that is not `CHAMPION=CHALLENGER:SHARE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{given}` is not a split: write CHAMPION=CHALLENGER:SHARE, like `standard=standard-next:10%`{detail}"
)]
pub struct SplitConfigError {
    given: String,
    detail: String,
}

impl FromStr for SplitConfig {
    type Err = SplitConfigError;

    fn from_str(text: &str) -> Result<SplitConfig, SplitConfigError> {
        let error = |detail: String| SplitConfigError {
            given: text.to_owned(),
            detail,
        };
        let (champion, rest) = text.split_once('=').ok_or_else(|| error(String::new()))?;
        let (challenger, share) = rest.rsplit_once(':').ok_or_else(|| error(String::new()))?;
        let share = share
            .parse::<Share>()
            .map_err(|share_error| error(format!(" ({share_error})")))?;
        if champion.is_empty() || challenger.is_empty() {
            return Err(error(String::new()));
        }
        if champion == challenger {
            return Err(error(" (a pack cannot challenge itself)".to_owned()));
        }
        Ok(SplitConfig {
            champion: champion.to_owned(),
            challenger: challenger.to_owned(),
            share,
        })
    }
}

/// The packs that decide requests for one name: the champion, and its challenger if it has one.
pub(crate) struct Arms {
    pub(crate) champion: Arc<RulePack>,
    pub(crate) challenger: Option<(Arc<RulePack>, Share)>,
}

impl Arms {
    /// The split, for the host's batch and arm functions.
    pub(crate) fn split(&self) -> Option<Split<'_>> {
        self.challenger.as_ref().map(|(pack, share)| Split {
            challenger: pack,
            share: *share,
        })
    }

    /// The pack deciding the context `text`, and its arm when there is a challenger.
    pub(crate) fn pack_for_text(&self, text: &str) -> (&RulePack, Option<Arm>) {
        match self.split() {
            Some(split) => {
                let arm = split.arm_of_text(text);
                (split.pack(&self.champion, arm), Some(arm))
            }
            None => (&self.champion, None),
        }
    }
}

/// The arms of requests for `champion`, as served now: a challenger that is not served (its
/// folder failed to load, or was removed) leaves the champion deciding every account, with a
/// warning, rather than failing requests.
pub(crate) fn arms(state: &AppState, champion: Arc<RulePack>) -> Arms {
    let name = &champion.identity().name;
    let split = state
        .config
        .splits
        .iter()
        .find(|split| &split.champion == name);
    let challenger = split.and_then(|split| match state.registry.get(&split.challenger) {
        Some(served) => Some((Arc::clone(&served.pack), split.share)),
        None => {
            tracing::warn!(
                champion = %split.champion, challenger = %split.challenger,
                "the challenger is not served: the champion decides every account"
            );
            None
        }
    });
    Arms {
        champion,
        challenger,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_read_champion_challenger_and_share() {
        let split: SplitConfig = "standard=standard-next:12.5%".parse().expect("a split");
        assert_eq!(split.champion, "standard");
        assert_eq!(split.challenger, "standard-next");
        assert_eq!(split.share.basis_points(), 1250);
        for bad in [
            "standard",
            "standard=next",
            "=next:10%",
            "a=a:10%",
            "a=b:200%",
        ] {
            let error = bad.parse::<SplitConfig>().expect_err(bad).to_string();
            assert!(error.contains("CHAMPION=CHALLENGER:SHARE"), "{error}");
        }
        let error = "a=b:200%"
            .parse::<SplitConfig>()
            .expect_err("200%")
            .to_string();
        assert!(error.contains("percentage from 0 to 100"), "{error}");
    }
}
