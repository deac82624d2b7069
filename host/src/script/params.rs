//! The pack's parameters as Rhai sees them (`ctx.params`): read by name, and a name the pack does
//! not declare is an error suggesting the nearest one, never `()`.

use rhai::{Dynamic, Engine, EvalAltResult, Map, Position};

/// `ctx.params`: parameter values by name (integers, texts, flags, or maps of amounts per currency).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(pub(crate) Map);

impl Params {
    fn get(&self, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        crate::explain::recorder::param_read(name);
        self.0.get(name).cloned().ok_or_else(|| {
            let suggestion = crate::suggest::closest(self.0.keys().map(|key| key.as_str()), name)
                .map(|known| format!("; did you mean `{known}`?"))
                .unwrap_or_default();
            Box::new(EvalAltResult::ErrorRuntime(
                format!(
                    "`params` has no field `{name}`: the pack declares no parameter `{name}`{suggestion}"
                )
                .into(),
                Position::NONE,
            ))
        })
    }
}

/// Registers `Params`: `ctx.params.name`, `ctx.params["name"]`, `"name" in ctx.params`, `keys()`.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Params>("Params")
        .register_indexer_get(|params: &mut Params, name: &str| params.get(name))
        .register_fn("contains", |params: &mut Params, name: &str| {
            params.0.contains_key(name)
        })
        .register_fn("keys", |params: &mut Params| -> rhai::Array {
            params
                .0
                .keys()
                .map(|key| Dynamic::from(key.to_string()))
                .collect()
        })
        .register_fn("to_debug", |params: &mut Params| format!("{:?}", params.0));
}
