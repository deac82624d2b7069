//! The names of the contract's enum cases (`open`, `send-invoice`, `enterprise`, ...) as Rhai
//! strings, each made once per thread and shared from then on.
//!
//! Every invoice's status and dispute is one of a few names. Making a string of its own for each
//! read cost an allocation and, when the evaluation ended, a free; a shared one costs a reference
//! count. A script cannot change a shared string in place: Rhai copies a string that has other
//! owners before it changes it, so nothing one evaluation does to a name reaches the next.

use std::cell::RefCell;

use rhai::ImmutableString;

/// Slots in each thread's table: a power of two above the contract's 150-odd case names (a name
/// that finds no free slot is still read right, as a string of its own).
const SLOTS: usize = 256;

/// One name in the table: where its text is, its length, and its shared string.
type Slot = Option<(usize, usize, ImmutableString)>;

thread_local! {
    static NAMES: RefCell<[Slot; SLOTS]> = const { RefCell::new([const { None }; SLOTS]) };
}

/// The shared string for the enum case name `name` (a `&'static str` of the contract, so its
/// address and length identify it).
pub(crate) fn enum_name(name: &'static str) -> ImmutableString {
    let key = (name.as_ptr().addr(), name.len());
    let shared = NAMES.try_with(|names| {
        let mut names = names.try_borrow_mut().ok()?;
        // Fibonacci hashing of the address (literals sit a few bytes apart): its top bits.
        let hash =
            (key.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (u64::BITS - SLOTS.ilog2());
        let start = usize::try_from(hash).unwrap_or_default();
        for probe in 0..SLOTS {
            let slot = names.get_mut((start + probe) % SLOTS)?;
            match slot {
                Some((at, len, text)) if (*at, *len) == key => return Some(text.clone()),
                Some(_) => {}
                None => {
                    let text = ImmutableString::from(name);
                    *slot = Some((key.0, key.1, text.clone()));
                    return Some(text);
                }
            }
        }
        None
    });
    // A full table (more names than slots), or a thread being torn down: a string of its own.
    shared.ok().flatten().unwrap_or_else(|| name.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_read_twice_is_one_shared_string_and_other_names_are_not_it() {
        let first = enum_name("send-invoice");
        let again = enum_name("send-invoice");
        assert!(first.ptr_eq(&again));
        assert_eq!(first, "send-invoice");
        let other = enum_name("open");
        assert_eq!(other, "open");
        assert!(!other.ptr_eq(&first));
    }

    #[test]
    fn the_same_text_at_another_address_or_a_prefix_of_a_name_is_a_name_of_its_own() {
        let whole: &'static str = "charge-automatically";
        let prefix: &'static str = whole.get(..6).unwrap_or_default();
        assert_eq!(enum_name(prefix), "charge");
        assert_eq!(enum_name(whole), "charge-automatically");
        assert_eq!(enum_name(prefix), "charge");
        let copy: &'static str = Box::leak(String::from(whole).into_boxed_str());
        assert_eq!(enum_name(copy), "charge-automatically");
        assert!(!enum_name(copy).ptr_eq(&enum_name(whole)));
    }

    #[test]
    fn more_names_than_slots_are_still_each_their_own_text() {
        let names: Vec<&'static str> = (0..SLOTS * 2)
            .map(|index| &*Box::leak(format!("case-{index}").into_boxed_str()))
            .collect();
        for name in &names {
            assert_eq!(enum_name(name), *name);
        }
        for name in &names {
            assert_eq!(enum_name(name), *name);
        }
    }

    #[test]
    fn changing_a_read_name_in_a_script_leaves_the_shared_one_as_it_was() {
        let mut read = enum_name("disputed");
        read.make_mut().push_str("-by-script");
        assert_eq!(read, "disputed-by-script");
        assert_eq!(enum_name("disputed"), "disputed");
    }
}
