//! The packed format against the WIT, and against broken buffers. Every fixture and generated
//! context is packed and unpacked in the workspace tests (`tests/all/packed.rs`).

use std::collections::BTreeMap;

use super::contract_types::{RECORDS, VARIANTS};
use super::*;
use crate::json::context_from_json;
use crate::types::{ParamValue, Value};

/// A context with a little of everything: a custom field, a tag, a parameter, a payment link.
fn sample() -> Context {
    context_from_json(
        r#"{
        "now": "2026-03-18T02:30:00Z",
        "account": {"id": "acc_1", "name": "Acmé", "tier": "smb", "tags": ["vip"],
                    "timezone": "America/New_York", "currency": "USD"},
        "invoices": [{"id": "inv_1", "status": "open", "currency": "USD", "total": "1200.00",
                      "paid": "200", "issue_date": "2026-02-15", "due_date": "2026-03-17",
                      "payment_link": {"url": "https://pay.example/1"}}],
        "payment_attempts": [], "activities": [], "promises": []
    }"#,
    )
    .unwrap()
}

fn packed(ctx: &Context, extra: &[&Param]) -> Vec<u8> {
    let mut out = Vec::new();
    pack_context(ctx, extra, &mut out);
    out
}

#[test]
fn a_context_comes_back_as_it_went() {
    let ctx = sample();
    assert_eq!(unpack_context(&packed(&ctx, &[])).unwrap(), ctx);
}

#[test]
fn extra_parameters_follow_the_contexts_own() {
    let mut ctx = sample();
    ctx.params = vec![Param {
        name: "own".into(),
        value: ParamValue::Integer(1),
    }];
    let extra = Param {
        name: "default".into(),
        value: ParamValue::Text("x".into()),
    };
    let back = unpack_context(&packed(&ctx, &[&extra])).unwrap();
    assert_eq!(back.params, vec![ctx.params[0].clone(), extra]);
}

#[test]
fn every_cut_short_buffer_is_an_error() {
    let bytes = packed(&sample(), &[]);
    for length in 0..bytes.len() {
        let error = unpack_context(&bytes[..length]).unwrap_err();
        assert!(
            error.to_string().contains("cut short"),
            "{length} bytes: {error}"
        );
    }
}

#[test]
fn another_version_is_refused_by_name() {
    let mut bytes = packed(&sample(), &[]);
    bytes[0] = 2;
    let error = unpack_context(&bytes).unwrap_err();
    assert_eq!(error.at, 0);
    assert!(error.to_string().contains("format version 2"), "{error}");
}

#[test]
fn bytes_after_the_context_are_refused() {
    let mut bytes = packed(&sample(), &[]);
    bytes.push(0);
    let error = unpack_context(&bytes).unwrap_err();
    assert!(error.to_string().contains("1 bytes follow"), "{error}");
}

#[test]
fn a_case_out_of_range_is_refused_where_it_is() {
    let mut ctx = sample();
    ctx.account.fields = vec![crate::types::Field {
        name: "x".into(),
        value: Value::Flag(true),
    }];
    let bytes = packed(&ctx, &[]);
    // The field's value: its case byte (4, `flag`), then the flag itself.
    let flag_case = find_flag(&bytes);
    let mut broken = bytes.clone();
    broken[flag_case] = 200;
    let error = unpack_context(&broken).unwrap_err();
    assert_eq!(error.at, flag_case);
    assert!(
        error
            .to_string()
            .contains("200 is not a case of the Value cases")
    );
    let mut broken = bytes;
    broken[flag_case + 1] = 2;
    let error = unpack_context(&broken).unwrap_err();
    assert_eq!(error.at, flag_case + 1);
    assert!(error.to_string().contains("2 is not a case of a bool"));
}

/// The offset of the field `x`'s value: after its name's length and its one byte.
fn find_flag(bytes: &[u8]) -> usize {
    let name = [1, 0, 0, 0, b'x'];
    let at = bytes
        .windows(name.len())
        .position(|window| window == name)
        .unwrap();
    at + name.len()
}

#[test]
fn a_text_that_is_not_utf8_is_refused() {
    let bytes = packed(&sample(), &[]);
    let at = bytes.windows(4).position(|w| w == b"Acm\xc3").unwrap() + 3;
    let mut broken = bytes;
    broken[at] = 0xff;
    let error = unpack_context(&broken).unwrap_err();
    assert!(error.to_string().contains("not valid UTF-8"), "{error}");
}

#[test]
fn a_forged_length_reserves_nothing_beyond_the_buffer() {
    // A list of 4 billion texts, then nothing: refused without reserving room for them.
    let bytes = u32::MAX.to_le_bytes();
    let mut reader = Reader {
        bytes: &bytes,
        at: 0,
    };
    let error = Vec::<String>::unpack(&mut reader).unwrap_err();
    assert_eq!(error.at, 4);
    assert!(error.to_string().contains("cut short"), "{error}");
}

/// `record` and `enum`/`variant` definitions of `wit/v0.2`: kebab-case name → field or case
/// names, in order.
fn wit_definitions(keywords: &[&str]) -> BTreeMap<String, Vec<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit/v0.2");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for keyword in keywords {
            let mut rest = code.as_str();
            while let Some(at) = rest.find(keyword) {
                let after = &rest[at + keyword.len()..];
                let (open, close) = (after.find('{').unwrap(), after.find('}').unwrap());
                let names = top_level_items(&after[open + 1..close])
                    .map(|item| item.split([':', '(']).next().unwrap().trim())
                    // `%record`: a WIT name escaped because it is a keyword.
                    .map(|name| name.trim_start_matches('%').to_owned())
                    .collect();
                found.insert(after[..open].trim().to_owned(), names);
                rest = &after[close..];
            }
        }
    }
    found
}

/// The comma-separated items of a definition's body, ignoring commas inside `<...>`.
fn top_level_items(body: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0;
    let mut start = 0;
    let mut items = Vec::new();
    for (at, c) in body.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&body[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    items.push(&body[start..]);
    items.into_iter().filter(|item| !item.trim().is_empty())
}

/// `CreditHold` → `credit-hold`, `settled_12m` → `settled-12m`.
fn kebab(rust: &str) -> String {
    let mut out = String::new();
    for (index, c) in rust.char_indices() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(if c == '_' { '-' } else { c });
        }
    }
    out
}

#[test]
fn fields_are_packed_in_wit_order() {
    let wit = wit_definitions(&["record "]);
    for (name, fields) in RECORDS {
        let ours: Vec<String> = fields.iter().map(|field| kebab(field)).collect();
        assert_eq!(Some(&ours), wit.get(&kebab(name)), "record {name}");
    }
}

#[test]
fn cases_are_numbered_in_wit_order() {
    let wit = wit_definitions(&["enum ", "variant "]);
    for (name, cases) in VARIANTS {
        let ours: Vec<String> = cases.iter().map(|case| kebab(case)).collect();
        assert_eq!(Some(&ours), wit.get(&kebab(name)), "{name}");
    }
}
