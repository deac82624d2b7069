//! Host-side bindings of the frozen `crm:rules/rule@0.1.0` world (`wit/v0.1`): three exports, one per
//! rule kind, each taking the whole context.
#![allow(
    missing_docs,
    reason = "generated bindings; the WIT carries the documentation"
)]

wasmtime::component::bindgen!({
    world: "rule",
    path: "../wit/v0.1",
});

impl<T: 'static> RulePre<T> {
    /// [`RulePre::instantiate`] without checking the export types again: [`RulePre::new`] checked
    /// them against the component once, at load, and every instance of it has the same ones. The
    /// generated `instantiate` re-checks all three exports' types (the whole `context` record,
    /// field by field) on every instantiation, which cost about 12 µs, four times the
    /// instantiation itself.
    pub(crate) fn instantiate_checked_at_load(
        &self,
        mut store: impl wasmtime::AsContextMut<Data = T>,
    ) -> wasmtime::Result<Rule> {
        let mut store = store.as_context_mut();
        let instance = self.instance_pre.instantiate(&mut store)?;
        let mut export = |index: &wasmtime::component::ComponentExportIndex| {
            instance
                .get_func(&mut store, index)
                .ok_or_else(|| wasmtime::format_err!("the component lost an export it had at load"))
        };
        Ok(Rule {
            evaluate_billing: export(&self.indices.evaluate_billing)?,
            evaluate_reminders: export(&self.indices.evaluate_reminders)?,
            evaluate_escalation: export(&self.indices.evaluate_escalation)?,
        })
    }
}
