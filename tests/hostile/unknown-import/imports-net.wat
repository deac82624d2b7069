;; A component that asks the host for a network connection through an interface that is not WASI
;; and not `crm:rules`.
(component
  (import "acme:evil/net@1.0.0" (instance
    (export "connect" (func (param "host" string) (result u32)))
  ))
)
