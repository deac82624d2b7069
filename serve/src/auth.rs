//! Bearer tokens: one for the API, a separate one for the admin endpoints, each read from a file
//! (its first line, trimmed) so it never appears on a command line or in the environment.

use std::path::Path;

use axum::http::{HeaderMap, StatusCode, header};

use crate::problem::Problem;

/// A token a request must present as `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// A token file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// It cannot be read.
    #[error("cannot read the token file `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Its first line is too short to be a secret.
    #[error(
        "the token in `{path}` is {length} characters; use at least 16 (for example 32 random bytes, hex-encoded)"
    )]
    TooShort {
        /// The file.
        path: String,
        /// The token's length.
        length: usize,
    },
}

impl Token {
    /// The first line of the file at `path`, trimmed.
    pub fn from_file(path: &Path) -> Result<Token, TokenError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let token = text.lines().next().unwrap_or_default().trim().to_owned();
        if token.chars().count() < 16 {
            return Err(TokenError::TooShort {
                path: path.display().to_string(),
                length: token.chars().count(),
            });
        }
        Ok(Token(token))
    }

    /// A token given directly (tests, embedding).
    pub fn new(token: impl Into<String>) -> Token {
        Token(token.into())
    }

    /// Whether `headers` carry this token, compared in time independent of where they differ.
    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
        else {
            return false;
        };
        let (given, own) = (given.trim().as_bytes(), self.0.as_bytes());
        let mut differ = given.len() ^ own.len();
        for (index, byte) in own.iter().enumerate() {
            differ |= usize::from(byte ^ given.get(index).copied().unwrap_or(0));
        }
        differ == 0
    }
}

/// `Ok` when no token is required or `headers` carry it; else a 401 problem.
pub fn check(token: Option<&Token>, headers: &HeaderMap, what: &str) -> Result<(), Problem> {
    match token {
        None => Ok(()),
        Some(token) if token.admits(headers) => Ok(()),
        Some(_) => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Missing or wrong token",
            format!(
                "the {what} needs `Authorization: Bearer <token>` with the server's {what} token"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            value.parse().expect("a header value"),
        );
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let token = Token::new("0123456789abcdef");
        assert!(check(Some(&token), &headers("Bearer 0123456789abcdef"), "API").is_ok());
        for wrong in [
            "Bearer 0123456789abcdeF",
            "Bearer 0123456789abcde",
            "0123456789abcdef",
            "Bearer ",
        ] {
            assert!(
                check(Some(&token), &headers(wrong), "API").is_err(),
                "{wrong}"
            );
        }
        assert!(check(Some(&token), &HeaderMap::new(), "API").is_err());
        assert!(check(None, &HeaderMap::new(), "API").is_ok());
    }
}
