//! The frozen Rhai engine every Rhai module shares: only audited built-ins, strict variables and
//! properties, no `eval`, modules, files or clock, and the cost limits.

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicFnPackage, BasicIteratorPackage, BasicMapPackage,
    BasicMathPackage, BasicStringPackage, BitFieldPackage, LogicPackage, MoreStringPackage,
    Package,
};
use rhai::{Engine, Module};

use super::budget;
use crate::engine::RhaiMemory;
use crate::limits::Limits;

/// Registers Rhai's standard library without the parts a rule must not reach: the language-core
/// package (`sleep` blocks the thread past any deadline; `exit`, tags and function metadata have no
/// use in a rule), blobs (byte buffers sized by an argument), and time (a clock). Every function
/// this leaves is listed, with what it may cost, in `rhai_functions.txt`; a test fails when the
/// engine exposes one that is not there.
///
/// The packages go into one module. Rhai looks a function up in every global module in turn, and
/// starts each call of a script with an empty resolution cache: with one module instead of ten, a
/// first lookup is one probe instead of up to ten. A package initialised later replaces a function
/// of the same signature from an earlier one, as registering it later would.
fn register_packages(engine: &mut Engine) {
    let mut library = Module::new();
    ArithmeticPackage::init(&mut library);
    BasicStringPackage::init(&mut library);
    BasicIteratorPackage::init(&mut library);
    BasicFnPackage::init(&mut library);
    BitFieldPackage::init(&mut library);
    LogicPackage::init(&mut library);
    BasicMathPackage::init(&mut library);
    BasicArrayPackage::init(&mut library);
    BasicMapPackage::init(&mut library);
    MoreStringPackage::init(&mut library);
    // Packages list their functions in manifests read at each lookup until registered; register
    // them, as each package's own `new` does.
    library.register_lazy_functions();
    library.build_index();
    engine.register_global_module(library.into());
}

/// Builds the frozen engine every Rhai module shares.
pub(crate) fn new_engine(limits: &Limits, memory: RhaiMemory) -> Engine {
    let mut engine = Engine::new_raw();
    register_packages(&mut engine);
    super::helpers::register(&mut engine, limits);
    super::params::register(&mut engine);
    super::lazy_context::register(&mut engine);
    super::trace::register(&mut engine);
    super::custom_fields::register(&mut engine);
    super::record::register(&mut engine);
    super::seen_keys::register(&mut engine);
    super::capped::register(&mut engine, limits);
    super::traps::register(&mut engine);
    engine
        .set_strict_variables(true)
        // Reading a key a map does not have is an error, not `()`: `invoice.stauts == "paid"` was
        // silently false. Optional lookups say so: `map.get(key) ?? default`, `key in map`.
        .set_fail_on_invalid_map_property(true)
        .set_max_call_levels(limits.rhai_max_call_levels)
        .set_max_expr_depths(limits.rhai_max_expr_depth, limits.rhai_max_expr_depth)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .on_print(|_| {})
        .on_debug(|_, _, _| {})
        .on_progress(budget::on_progress);
    if memory == RhaiMemory::SizeLimits {
        // Rhai re-measures a value after each change to it: the cap on memory when bytes are not
        // counted, at a cost quadratic in the size of the lists a rule builds.
        engine
            .set_max_string_size(limits.rhai_max_string_bytes)
            .set_max_array_size(limits.rhai_max_array_len)
            .set_max_map_size(limits.rhai_max_map_len);
    }
    engine.disable_symbol("eval");
    engine
}

#[cfg(test)]
mod tests {
    use rhai::Dynamic;

    use super::*;

    fn run(script: &str) -> Result<Dynamic, String> {
        let engine = new_engine(&Limits::default(), RhaiMemory::SizeLimits);
        engine
            .eval::<Dynamic>(script)
            .map_err(|error| error.to_string())
    }

    #[test]
    fn reading_a_key_a_map_does_not_have_is_an_error_and_optional_lookups_say_so() {
        let error = run("let invoice = #{status: 4}; invoice.stauts").unwrap_err();
        assert!(error.contains("stauts"), "{error}");
        assert!(run("let invoice = #{status: 4}; invoice[\"stauts\"]").is_err());
        assert!(run("let counts = #{}; counts.get(\"x\") ?? 0").is_ok());
        assert!(run("let counts = #{}; counts[\"x\"] = 1; counts.x").is_ok());
        assert!(run("let counts = #{}; \"x\" in counts").is_ok());
    }
}
