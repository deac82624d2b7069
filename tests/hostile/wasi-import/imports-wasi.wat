;; A component that asks for the host's environment variables through WASI.
(component
  (import "wasi:cli/environment@0.2.0" (instance
    (export "get-environment" (func (result (list (tuple string string)))))
  ))
)
