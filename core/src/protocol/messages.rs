//! How the companion's messages are read without serde's buffering.
//!
//! `Message` is internally tagged (`"msg"` beside its fields) and `ServerMessage` flattens
//! it beside `req`. serde's derive reads such a frame by first copying every field into an
//! intermediate tree, then reading each variant from that tree: a second copy of every
//! message type's reading code, and the largest single item of the widget's WebAssembly
//! (docs/hosting.md, "Sizes"). Here a frame is read twice as text instead: once for `msg`
//! and `req`, then once as the struct of that variant's fields, by the same serde_json
//! reader every other type uses (unknown fields, `msg` and `req` among them, are ignored).
//!
//! `server_messages!` takes the enum as written and adds one private struct per struct
//! variant plus the table that maps a wire name to its reader, so the field lists exist once.
//!
//! The answers only the clinic app asks for (`IMPORTED`, `STATUS`, `BOOK_INFO`, `BOOK_TRAIL`)
//! are read only with the cargo feature `app-answers`: the widget's build never sends their
//! commands, and their readers (the companion's whole status, the book's trail, lists of
//! results) cost it 10.7 kB gzip. Without the feature such a frame is a decode error that
//! names it, like a variant this build does not know.

/// Declares `Message` as written, with `bodies` (one struct per struct variant) and
/// `Message::read_body` (a variant from a frame's text, by its wire name).
macro_rules! server_messages {
    (
        $(#[$emeta:meta])*
        pub enum $Enum:ident {
            $(
                $(#[$vmeta:meta])*
                $Variant:ident
                $( { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)? } )?
                $( ( $nty:ty ) )?
            ),* $(,)?
        }
    ) => {
        $(#[$emeta])*
        pub enum $Enum {
            $(
                $(#[$vmeta])*
                $Variant
                $( { $( $(#[$fmeta])* $field : $fty ),* } )?
                $( ( $nty ) )?
            ),*
        }

        /// Each struct variant's fields, read straight from a frame's text.
        #[cfg_attr(not(feature = "app-answers"), allow(dead_code))]
        mod bodies {
            #[allow(unused_imports)]
            use super::*;
            $( server_messages!(@body $Variant $( { $( $(#[$fmeta])* $field : $fty ),* } )?); )*
        }

        impl $Enum {
            /// The readers in declaration order, the order of `VARIANTS` (strum).
            const READERS: &'static [fn(&str) -> Result<$Enum, serde_json::Error>] = &[
                $( |text| server_messages!(@gate $Enum $Variant text $( { $( $field ),* } )? $( ( $nty ) )?) ),*
            ];

            /// The variant `tag` (its wire name) read from the whole frame's `text`; `None`
            /// for a name this build does not know.
            pub(super) fn read_body(
                tag: &str,
                text: &str,
            ) -> Option<Result<$Enum, serde_json::Error>> {
                let i = <$Enum as strum::VariantNames>::VARIANTS
                    .iter()
                    .position(|v| *v == tag)?;
                Self::READERS.get(i).map(|read| read(text))
            }
        }
    };
    (@body $Variant:ident { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* }) => {
        #[derive(serde::Deserialize)]
        pub(super) struct $Variant {
            $( $(#[$fmeta])* pub(super) $field : $fty ),*
        }
    };
    (@body $Variant:ident) => {};
    (@gate $Enum:ident Imported $($rest:tt)*) => { server_messages!(@app_only $Enum Imported $($rest)*) };
    (@gate $Enum:ident Status $($rest:tt)*) => { server_messages!(@app_only $Enum Status $($rest)*) };
    (@gate $Enum:ident BookInfo $($rest:tt)*) => { server_messages!(@app_only $Enum BookInfo $($rest)*) };
    (@gate $Enum:ident BookTrail $($rest:tt)*) => { server_messages!(@app_only $Enum BookTrail $($rest)*) };
    (@gate $($rest:tt)*) => { server_messages!(@read $($rest)*) };
    (@app_only $Enum:ident $Variant:ident $text:ident $($rest:tt)*) => {{
        #[cfg(feature = "app-answers")]
        let read = server_messages!(@read $Enum $Variant $text $($rest)*);
        #[cfg(not(feature = "app-answers"))]
        let read = {
            let _ = $text;
            Err(<serde_json::Error as serde::de::Error>::custom(concat!(
                "`", stringify!($Variant), "` is read only by the clinic app's build (feature app-answers)"
            )))
        };
        read
    }};
    (@read $Enum:ident $Variant:ident $text:ident { $( $field:ident ),* }) => {
        serde_json::from_str::<bodies::$Variant>($text)
            .map(|b| $Enum::$Variant { $( $field: b.$field ),* })
    };
    (@read $Enum:ident $Variant:ident $text:ident ( $nty:ty )) => {
        serde_json::from_str::<$nty>($text).map($Enum::$Variant)
    };
    (@read $Enum:ident $Variant:ident $text:ident) => {{
        let _ = $text;
        Ok($Enum::$Variant)
    }};
}
