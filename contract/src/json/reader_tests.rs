//! Tests of the path-tracking reader.

use serde_json::json;

use super::super::ids::ids;
use super::*;

#[test]
fn paths_render_fields_and_indices() {
    let root = Path::Root;
    let invoices = root.field("invoices");
    let third = invoices.index(3);
    assert_eq!(third.field("due_date").render(), "invoices[3].due_date");
    assert_eq!(root.render(), "");
    assert_eq!(root.index(0).field("id").render(), "[0].id");
}

#[test]
fn fields_are_typed_and_located() {
    let value = json!({"name": 5, "tags": ["a", 1], "flag": null, "n": -1});
    let obj = Obj::open(&value, Path::Root).unwrap();
    let error = obj.req("name", string).unwrap_err();
    assert_eq!(error.to_string(), "name: expected a string, found a number");
    let error = obj.req("tags", ids).unwrap_err();
    assert_eq!(
        error.to_string(),
        "tags[1]: expected an id (a non-empty string), found a number"
    );
    let error = obj.or("flag", false, boolean).unwrap_err();
    assert_eq!(
        error.to_string(),
        "flag: null is not accepted; omit the field to leave it unset (or give [] for no items)"
    );
    assert!(!obj.or("absent", false, boolean).unwrap());
    let error = obj.req("flag", boolean).unwrap_err();
    assert_eq!(error.to_string(), "flag: required field is null");
    let error = obj.req("missing", boolean).unwrap_err();
    assert_eq!(error.to_string(), "missing: missing required field");
    let error = obj.req("n", uint).unwrap_err();
    assert_eq!(
        error.to_string(),
        "n: expected a whole number from 0 to 4294967295, found -1"
    );
    let huge: Value = serde_json::from_str("{\"n\": 18446744073709551616}").unwrap();
    let error = Obj::open(&huge, Path::Root)
        .unwrap()
        .req("n", uint)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "n: expected a whole number from 0 to 4294967295, found a number too large for 64 bits"
    );
}

#[test]
fn unknown_fields_and_duplicates_are_named() {
    let value = json!({"items": [{"id": "a"}, {"id": "b"}, {"id": "a"}], "itemz": 1});
    let error = Obj::with_fields(&value, Path::Root, &[&["items"]]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "itemz: unknown field \"itemz\", expected one of items"
    );
    let obj = Obj::open(&value, Path::Root).unwrap();
    let error = obj
        .unique_list(
            "items",
            "item id",
            "id",
            |id: &String| id,
            |item, path| Obj::open(item, *path)?.req("id", string),
        )
        .unwrap_err();
    assert_eq!(error.to_string(), "items[2].id: duplicate item id \"a\"");
}

#[test]
fn required_lists_must_be_present_and_no_list_may_be_null() {
    let value = json!({"present": [], "null": null});
    let obj = Obj::open(&value, Path::Root).unwrap();
    let required = Presence::Required("a scheduled evaluation reads it");
    let empty: Vec<String> = obj.list_if("present", required, string).unwrap();
    assert!(empty.is_empty());
    let error = obj.list_if("absent", required, string).unwrap_err();
    assert_eq!(
        error.to_string(),
        "absent: missing required field: a scheduled evaluation reads it; give [] if there are none"
    );
    assert!(obj.list("absent", string).unwrap().is_empty());
    let error = obj.list("null", string).unwrap_err();
    assert!(
        error.to_string().starts_with("null: null is not accepted"),
        "{error}"
    );
}
