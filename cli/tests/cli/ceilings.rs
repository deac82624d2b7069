//! The host's ceilings on the command line: a pack may not raise its limits past them, and the
//! flags raise the ceilings themselves. See: issue 9, item 2.

use super::{crm_rules, text};

#[test]
fn check_reports_a_pack_that_asks_beyond_the_ceilings_and_the_flags_raise_them() {
    let pack = "tests/hostile/limits-above-ceiling";
    let output = crm_rules(&["check", pack]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("`rhai_max_operations` = 1000000000000 is above the host's ceiling"),
        "{stderr}"
    );
    let output = crm_rules(&[
        "check",
        pack,
        "--max-operations",
        "1000000000000",
        "--max-deadline-ms",
        "3600000",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn every_ceiling_flag_is_in_the_help() {
    let help = text(&crm_rules(&["eval", "--help"]).stdout);
    for flag in [
        "--max-fuel",
        "--max-operations",
        "--max-deadline-ms",
        "--max-memory-bytes",
        "--max-output-entries",
        "--max-output-bytes",
        "--max-input-bytes",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
