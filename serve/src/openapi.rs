//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes and the types
//! they answer with: nothing in it is written by hand.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::problem::Problem;
use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "crm-rules",
        description = "Finance rules evaluated as a sidecar: contexts in, decisions out (docs/contract.md)."
    ),
    paths(
        routes::evaluate::evaluate, routes::batch::evaluate_batch, routes::packs::list,
        routes::packs::describe, routes::ops::healthz, routes::ops::readyz, routes::ops::metrics,
        routes::ops::openapi, routes::ops::admin_reload,
    ),
    components(schemas(Problem)),
    modifiers(&Security),
)]
struct Api;

/// The bearer-token schemes: the API's and the admin API's.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let bearer = || {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token in the server's token file"))
                    .build(),
            )
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_token", bearer());
        components.add_security_scheme("admin_token", bearer());
    }
}

/// The document served at `/v1/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    Api::openapi()
}
