//! The wasm package and the playground: build, test, serve.

use crate::util::Result;

pub fn setup() -> Result {
    Ok(())
}

pub fn build() -> Result {
    Err("the wasm package is not built yet".into())
}

pub fn playground(_serve: bool) -> Result {
    Err("the playground is not built yet".into())
}

pub fn test() -> Result {
    Ok(())
}
