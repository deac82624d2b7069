//! The standard cadence's steps: the notice templates this pack declares in its vocabulary.

/// A step of the reminder cadence, earliest first (the order is the cadence's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Seven days before the due date.
    Pre7,
    /// Three days before the due date.
    Pre3,
    /// On the due date.
    Due,
    /// One day after the due date.
    Post1,
}

impl Step {
    /// Every step, earliest first.
    pub const ALL: [Step; 4] = [Step::Pre7, Step::Pre3, Step::Due, Step::Post1];

    /// The template's name, as the manifest declares it: `pre-7`, `pre-3`, `due`, `post-1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Pre7 => "pre-7",
            Step::Pre3 => "pre-3",
            Step::Due => "due",
            Step::Post1 => "post-1",
        }
    }

    /// The step named `name`, if it is one of this cadence's.
    pub fn from_name(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.as_str() == name)
    }

    /// Days from the due date to the step's nominal date.
    pub fn offset_days(self) -> i64 {
        match self {
            Step::Pre7 => -7,
            Step::Pre3 => -3,
            Step::Due => 0,
            Step::Post1 => 1,
        }
    }
}
