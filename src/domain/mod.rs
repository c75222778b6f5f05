//! Pure rules: no actix, no diesel. Functions of (state, input, now, policy).

/// A closed vocabulary stored and sent as snake_case text: `ALL`, `as_str`, `parse`, serde
/// and the OpenAPI schema from one list.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident => $s:literal),* $(,)? }) => {
        // The derive comes first so that a caller's `#[schema(as = …)]` reaches it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        $(#[$m])*
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$v => $s, )* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $( $s => Some(Self::$v), )* _ => None }
            }
        }
    };
}

pub mod caller;
pub mod catalogues;
pub mod complaints;
pub mod delivery_failures;
pub mod events;
pub mod login;
pub mod media;
pub mod messages;
pub mod money;
pub mod numbering;
pub mod orders;
pub mod pagination;
pub mod privacy;
pub mod refused;
pub mod returns;
pub mod reviews;
pub mod roles;
pub mod screening;
pub mod stats;
pub mod steps;
pub mod webhooks;
