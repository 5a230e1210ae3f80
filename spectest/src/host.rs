//! The `spectest` host module every script may import from, with the reference
//! interpreter's values.

use std::collections::HashMap;
use std::sync::Arc;

use stratus_decoder::{FuncType, GlobalType, IndexType, Limits, MemoryType, RefType, TableType, ValType};
use stratus_runtime::{Extern, Global, Store, Val};

/// Creates the `spectest` objects in `store` (each script gets fresh ones) and returns
/// them by field name. Fails only if the table or memory cannot be made within the
/// store's limits.
pub(crate) fn spectest_module<T>(store: &mut Store<T>) -> Result<HashMap<String, Extern>, String> {
    let mut fields = HashMap::new();
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(666.6f32.to_bits())),
        ("global_f64", Val::F64(666.6f64.to_bits())),
    ];
    for (name, value) in globals {
        let ty = GlobalType { content: value.ty(), mutable: false };
        fields.insert(name.to_string(), Extern::Global(store.add_global(Global::new(ty, value))));
    }

    // The 3.0 module also has the table indexed by i64.
    for (name, index_type) in [("table", IndexType::I32), ("table64", IndexType::I64)] {
        let limits = Limits { min: 10, max: Some(20) };
        let table_ty = TableType { elem: RefType::FuncRef, index_type, limits };
        let table = store
            .new_table(table_ty, Val::FuncRef(None).to_slots()[0])
            .map_err(|error| format!("could not make the spectest {name}: {error}"))?;
        fields.insert(name.to_string(), Extern::Table(table));
    }

    let memory_ty = MemoryType::new(Limits { min: 1, max: Some(2) });
    let memory = store
        .new_memory(memory_ty)
        .map_err(|error| format!("could not reserve the spectest memory: {error}"))?;
    fields.insert("memory".to_string(), Extern::Memory(memory));

    // The reference interpreter prints the arguments; the runner stays quiet so test
    // output shows only results.
    use ValType::{F32, F64, I32, I64};
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let func = store.add_host_func(&FuncType::new(params, &[]), Arc::new(|_, _, _, _| Ok(())));
        fields.insert(name.to_string(), Extern::Func(func));
    }
    Ok(fields)
}
