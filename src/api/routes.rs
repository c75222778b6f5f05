//! What the fallback answers: 405 with `Allow` when the path is a documented route that does
//! not take the method, 404 `route_not_found` otherwise. The table is read from the OpenAPI
//! document the routes were collected into, so it cannot drift from the routes.
use crate::error::{ApiError, ErrorCode};
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeSet;

/// Documented path templates (`/api/v1/returns/{id}`) and their methods.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, BTreeSet<String>)>,
}

#[derive(Debug, PartialEq)]
enum Segment {
    Literal(String),
    Param,
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .trim_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Param
            } else {
                Segment::Literal(s.to_string())
            }
        })
        .collect()
}

impl RouteTable {
    pub fn from_doc(doc: &utoipa::openapi::OpenApi) -> RouteTable {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods: BTreeSet<String> = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
            ]
            .into_iter()
            .filter(|(_, present)| *present)
            .map(|(m, _)| m.to_string())
            .collect();
            routes.push((segments(path), methods));
        }
        RouteTable { routes }
    }

    /// The methods a path takes, if it is a documented route.
    pub fn methods_of(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut found: BTreeSet<String> = BTreeSet::new();
        for (template, methods) in &self.routes {
            let fits = template.len() == parts.len()
                && template.iter().zip(&parts).all(|(t, p)| match t {
                    Segment::Literal(l) => l == p,
                    Segment::Param => !p.is_empty(),
                });
            if fits {
                found.extend(methods.iter().cloned());
            }
        }
        (!found.is_empty()).then(|| found.into_iter().collect())
    }
}

pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    match table.methods_of(super::routed_path(&req)) {
        Some(allowed) => Err(ApiError::MethodNotAllowed(allowed)),
        None => Err(ErrorCode::RouteNotFound.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_path_lists_its_methods() {
        let table = RouteTable::from_doc(&crate::startup::openapi());
        assert_eq!(
            table.methods_of("/api/v1/reviews/abc"),
            Some(vec!["DELETE".into(), "GET".into(), "PATCH".into()])
        );
        assert_eq!(
            table.methods_of("/api/v1/returns"),
            Some(vec!["GET".into(), "POST".into()])
        );
        assert_eq!(table.methods_of("/api/v1/nothing"), None);
        assert_eq!(table.methods_of("/api/v1/reviews//flags"), None);
    }
}
