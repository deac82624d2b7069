//! The report rendered from hand-made summaries: escaping, exact amounts, self-containment.

use serde_json::{Value, json};

use super::{escape, render};

/// A summary with every kind of change, and hostile text wherever the user writes text.
fn hostile_summary() -> Value {
    json!({
        "champion": {"name": "standard", "version": "1.0", "hash": "sha256:0123456789abcdef"},
        "challenger": {
            "name": "<script>alert(1)</script>",
            "version": "2.0\"><img src=x onerror=alert(2)>",
            "hash": "sha256:fedcba9876543210",
        },
        "contexts": 210,
        "compared": 205,
        "changed": 41,
        "input_errors": {"champion": 1, "challenger": 3, "both": 1},
        "decisions_with_rule_errors": {"champion": 0, "challenger": 2, "both": 0},
        "status_changed": 2,
        "next_evaluation_changed": 4,
        "suppressions_added": 1,
        "suppressions_removed": 0,
        "kinds": {
            "<b>kind</b>": {"champion": 3, "challenger": 5, "added": 2, "removed": 0, "changed": 1},
            "send-reminder": {"champion": 120, "challenger": 97, "added": 0, "removed": 23, "changed": 0},
        },
        "money": {
            "EUR": {
                "champion": "100556.15", "challenger": "100600.00", "added": "43.85",
                "removed": "0", "changed_from": "10.00", "changed_to": "10.00",
            },
            "KWD": {
                "champion": "70525.738", "challenger": "70525.738", "added": "0",
                "removed": "0", "changed_from": "0", "changed_to": "0",
            },
        },
        "accounts_changed": 17,
        "examples": [
            {
                "line": 7,
                "account_id": "acc_<i>x</i>",
                "context_id": "ctx'1",
                "added": [{"kind": "apply-fee", "key": "fee:<1>", "amount": "43.85",
                           "currency": "EUR", "rule": "r.fee", "reason": "late & <unpaid>"}],
                "changed": [{"key": "k:1", "kind": "send-notice", "fields": [
                    {"field": "channel", "champion": "email", "challenger": "<sms>"},
                    {"field": "fee", "champion": null, "challenger": "5.00"},
                ]}],
                "suppressions_added": [{"rule": "r.s", "subject_id": "inv_1", "reason": "dispute-open"}],
                "status": ["complete", "held-for-review"],
                "errors": [[], [{"module": "billing", "kind": "trap", "message": "</td></tr><script>x</script>"}]],
            },
            {"line": 9, "account_id": "acc_2", "challenger_error": "unknown field `<zz>`"},
        ],
    })
}

#[test]
fn escape_covers_the_five_special_characters() {
    assert_eq!(
        escape(r#"<script>alert("x")</script> & 'y'"#),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
    );
    assert_eq!(escape("plain text, é → ü"), "plain text, é → ü");
}

#[test]
fn hostile_text_from_the_summary_is_escaped_everywhere() {
    let page = render(&hostile_summary());
    assert!(!page.contains("<script"), "a script tag got through");
    assert!(!page.contains("<img"), "an img tag got through");
    assert!(!page.contains("<b>kind</b>") && !page.contains("<i>x</i>"));
    assert!(!page.contains("<sms>") && !page.contains("<zz>") && !page.contains("<unpaid>"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("2.0&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(page.contains("<title>Policy diff: standard 1.0 → &lt;script&gt;"));
    assert!(page.contains("&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;x&lt;/script&gt;"));
    assert!(page.contains("ctx&#39;1") && page.contains("late &amp; &lt;unpaid&gt;"));
}

#[test]
fn amounts_are_shown_exactly_with_an_exact_net() {
    let page = render(&hostile_summary());
    for amount in [
        "100556.15",
        "100600.00",
        "43.85",
        "70525.738",
        "10.00 → 10.00",
    ] {
        assert!(page.contains(&format!(">{amount}<")), "{amount} is missing");
    }
    assert!(page.contains(
        "<tr><th scope=\"row\">EUR</th><td>100556.15</td><td>100600.00</td><td>43.85</td>\
         <td>0</td><td>10.00</td><td>10.00</td><td>+43.85</td></tr>"
    ));
    assert!(
        page.contains("<td>70525.738</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0.000</td>")
    );
}

#[test]
fn the_page_holds_the_figures_three_charts_and_the_examples() {
    let page = render(&hostile_summary());
    assert_eq!(page.matches("<svg").count(), 3);
    assert_eq!(page.matches("role=\"img\"").count(), 3);
    for figure in [
        "id=\"fig-contexts\">210<",
        "id=\"fig-compared\">205<",
        "id=\"fig-changed\">41<",
        "id=\"fig-accounts\">17<",
        "id=\"fig-input_errors-challenger\">3<",
        "id=\"fig-decisions_with_rule_errors-challenger\">2<",
        "20.0% of compared",
    ] {
        assert!(page.contains(figure), "{figure} is missing");
    }
    let kinds = "<tr><th scope=\"row\">send-reminder</th><td>120</td><td>97</td><td>0</td><td>23</td><td>0</td></tr>";
    assert!(page.contains(kinds));
    assert!(page.contains("<code>channel</code> <del>email</del> → <ins>&lt;sms&gt;</ins>"));
    assert!(page.contains("<code>fee</code> <del><em>absent</em></del> → <ins>5.00</ins>"));
    assert!(page.contains("The challenger cannot read this line: unknown field `&lt;zz&gt;`"));
    assert!(page.contains("EUR 43.85"));
    assert!(page.contains("The first 2 changed contexts in book order, of 41."));
}

#[test]
fn the_page_is_self_contained() {
    let page = render(&hostile_summary());
    for outside in [
        "http://", "https://", "<link", "src=\"", "url(", "@import", "<script",
    ] {
        assert!(!page.contains(outside), "the page holds {outside}");
    }
}

#[test]
fn an_empty_summary_still_renders_three_charts() {
    let page = render(&json!({}));
    assert_eq!(page.matches("<svg").count(), 3);
    assert!(page.contains("Neither pack asked for any action"));
    assert!(page.contains("No context of the book gets a different decision."));
}
