//! A 0.2 component's `evaluate` functions, type-checked once at load and then called on every
//! instance without checking again.
//!
//! `[constructor]evaluation` takes the whole `context` record: checking its type means walking every
//! field of every record in it, which the generated bindings do on every instantiation. The
//! functions' types are a property of the component, not of an instance, so [`CheckedPre::check`]
//! checks each once, on a first instance, with exactly the signatures [`Live`] calls it with; each
//! instance after that finds its functions by export index and calls them through
//! `TypedFunc::new_unchecked`.
//!
//! A component that also exports `evaluate-packed` (every one the Rust guest SDK builds) is given
//! the context packed into one buffer (`crm_rules_contract::packed`): its constructor and `run` are
//! the ones used, and `evaluate`'s are not. One that exports only `evaluate` gets the typed record.

use wasmtime::component::{ComponentExportIndex, Func, InstancePre, ResourceAny, TypedFunc};
use wasmtime::{AsContextMut, Engine, Result, format_err};

use super::crm::rules::actions::RuleOutput;
use super::crm::rules::records::Context;

/// The exported interface.
const INTERFACE: &str = "crm:rules/evaluate@0.2.0";
/// The interface that takes the context packed, when the component exports it.
const PACKED_INTERFACE: &str = "crm:rules/evaluate-packed@0.2.0";

/// How the context crosses into a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Crossing {
    /// As the typed `context` record (`evaluate`).
    Typed,
    /// Packed into one buffer (`evaluate-packed`).
    Packed,
}

/// The constructor's signature, as checked and as called, when the context crosses typed.
type Construct<'a> = TypedFunc<(&'a Context<'a>,), (ResourceAny,)>;
/// The constructor's signature when the context crosses packed.
type ConstructPacked<'a> = TypedFunc<(&'a [u8],), (ResourceAny,)>;
/// `run`'s signature, as checked and as called.
type Run<'a> = TypedFunc<(ResourceAny, &'a str), (Result<RuleOutput, String>,)>;
/// `modules`' signature, as checked and as called.
type Modules = TypedFunc<(), (Vec<String>,)>;

/// A component pre-instantiated, with its `evaluate` functions' export indices, their types
/// checked. Only [`CheckedPre::check`] makes one, so the indices are always the checked ones of
/// this component.
pub(crate) struct CheckedPre<T: 'static> {
    pre: InstancePre<T>,
    crossing: Crossing,
    constructor: ComponentExportIndex,
    run: ComponentExportIndex,
}

/// The `evaluate` (or `evaluate-packed`) functions of one instance.
pub(crate) struct Live {
    crossing: Crossing,
    constructor: Func,
    run: Func,
}

impl<T: 'static> CheckedPre<T> {
    /// Finds the `evaluate` functions of `pre`'s component (the constructor and `run` of
    /// `evaluate-packed` instead, when it exports that and `typed_only` is false), instantiates it
    /// once in `store` and type-checks them there, and calls `modules`: the checked component, and
    /// the modules it implements. With `typed_only`, a component is taken as a host from before
    /// `evaluate-packed` takes it.
    ///
    /// # Errors
    /// A function missing or of another type, or a trap in `modules`.
    pub(crate) fn check(
        pre: InstancePre<T>,
        mut store: impl AsContextMut<Data = T>,
        typed_only: bool,
    ) -> Result<(CheckedPre<T>, Vec<String>)> {
        let component = pre.component();
        let find_in = |interface_name: &str, name: &str| {
            let interface = component
                .get_export_index(None, interface_name)
                .ok_or_else(|| format_err!("no exported instance named `{interface_name}`"))?;
            component
                .get_export_index(Some(&interface), name)
                .ok_or_else(|| format_err!("`{interface_name}` does not export `{name}`"))
        };
        let modules = find_in(INTERFACE, "modules")?;
        let crossing = match component.get_export_index(None, PACKED_INTERFACE) {
            Some(_) if !typed_only => Crossing::Packed,
            _ => Crossing::Typed,
        };
        let interface = match crossing {
            Crossing::Typed => INTERFACE,
            Crossing::Packed => PACKED_INTERFACE,
        };
        let constructor = find_in(interface, "[constructor]evaluation")?;
        let run = find_in(interface, "[method]evaluation.run")?;
        let instance = pre.instantiate(&mut store)?;
        match crossing {
            Crossing::Typed => instance
                .get_typed_func::<(&Context<'_>,), (ResourceAny,)>(&mut store, constructor)
                .map(drop)?,
            Crossing::Packed => instance
                .get_typed_func::<(&[u8],), (ResourceAny,)>(&mut store, constructor)
                .map(drop)?,
        }
        instance.get_typed_func::<(ResourceAny, &str), (Result<RuleOutput, String>,)>(
            &mut store, run,
        )?;
        let modules: Modules = instance.get_typed_func(&mut store, modules)?;
        let (names,) = modules.call(&mut store, ())?;
        let checked = CheckedPre {
            pre,
            crossing,
            constructor,
            run,
        };
        Ok((checked, names))
    }

    /// How the context crosses into this component.
    pub(crate) fn crossing(&self) -> Crossing {
        self.crossing
    }

    /// A new instance in `store` (out of the engine's pool), with its functions.
    ///
    /// # Errors
    /// When the instance cannot be made (the pool is exhausted, say).
    pub(crate) fn instantiate(&self, mut store: impl AsContextMut<Data = T>) -> Result<Live> {
        let instance = self.pre.instantiate(&mut store)?;
        let mut func = |index: ComponentExportIndex| {
            instance
                .get_func(&mut store, index)
                .ok_or_else(|| format_err!("the component lost an export it had at load"))
        };
        Ok(Live {
            crossing: self.crossing,
            constructor: func(self.constructor)?,
            run: func(self.run)?,
        })
    }

    /// The pre-instantiated component.
    pub(crate) fn instance_pre(&self) -> &InstancePre<T> {
        &self.pre
    }

    /// The engine it was compiled for.
    pub(crate) fn engine(&self) -> &Engine {
        self.pre.engine()
    }
}

impl Live {
    /// `evaluation`'s constructor, for a component that takes the context typed: takes the
    /// context, returns the evaluation.
    ///
    /// # Errors
    /// A trap, or fuel or the deadline running out; or the component takes the context packed
    /// (a host bug: ask [`CheckedPre::crossing`] first).
    #[allow(
        unsafe_code,
        reason = "the signature was type-checked at load (`CheckedPre::check`)"
    )]
    pub(crate) fn construct(
        &self,
        mut store: impl AsContextMut,
        ctx: &Context<'_>,
    ) -> Result<ResourceAny> {
        if self.crossing != Crossing::Typed {
            return Err(format_err!(
                "the component takes the context packed, not typed"
            ));
        }
        // SAFETY: `new_unchecked` requires the function to have the signature `Construct`.
        // `self.constructor` is the export at the index `CheckedPre::check` type-checked with
        // exactly that signature (for `Crossing::Typed`, checked above), on an instance of the
        // same component (an index belongs to one component, and every instance of a component has
        // the same export types).
        let typed: Construct<'_> = unsafe { TypedFunc::new_unchecked(self.constructor) };
        typed
            .call(&mut store, (ctx,))
            .map(|(evaluation,)| evaluation)
    }

    /// `evaluation`'s constructor, for a component that takes the context packed: takes the
    /// packed buffer, returns the evaluation.
    ///
    /// # Errors
    /// A trap, or fuel or the deadline running out; or the component takes the context typed.
    #[allow(
        unsafe_code,
        reason = "the signature was type-checked at load (`CheckedPre::check`)"
    )]
    pub(crate) fn construct_packed(
        &self,
        mut store: impl AsContextMut,
        packed: &[u8],
    ) -> Result<ResourceAny> {
        if self.crossing != Crossing::Packed {
            return Err(format_err!(
                "the component takes the context typed, not packed"
            ));
        }
        // SAFETY: as in `construct`, for the signature `ConstructPacked` (`Crossing::Packed`).
        let typed: ConstructPacked<'_> = unsafe { TypedFunc::new_unchecked(self.constructor) };
        typed
            .call(&mut store, (packed,))
            .map(|(evaluation,)| evaluation)
    }

    /// `evaluation.run(module)`.
    ///
    /// # Errors
    /// A trap, or fuel or the deadline running out (a rule's own refusal is the inner `Err`).
    #[allow(
        unsafe_code,
        reason = "the signature was type-checked at load (`CheckedPre::check`)"
    )]
    pub(crate) fn run(
        &self,
        mut store: impl AsContextMut,
        evaluation: ResourceAny,
        module: &str,
    ) -> Result<Result<RuleOutput, String>> {
        // SAFETY: as in `construct`, for the signature `Run`.
        let typed: Run<'_> = unsafe { TypedFunc::new_unchecked(self.run) };
        typed
            .call(&mut store, (evaluation, module))
            .map(|(output,)| output)
    }
}
