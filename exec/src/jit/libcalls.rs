//! The runtime functions compiled code calls ([`Libcall`]), over the store the driver
//! lent it. Each reads its operands from the value stack and leaves its results there.

use stratus_decoder::IndexType;
use stratus_jit::abi::{LIBCALLS, Libcall, LibcallFn, TRAP_PENDING};
use stratus_runtime::{FuncAddr, FuncKind, InstanceAddr, InstanceVm, Store, TrapKind, VmContext};

use super::JitHost;
use crate::host::call_host;

/// The libcalls for stores of `T`, by [`Libcall`] number.
pub(super) fn table<T>() -> &'static [LibcallFn; LIBCALLS] {
    &Table::<T>::FNS
}

struct Table<T>(std::marker::PhantomData<T>);

impl<T> Table<T> {
    const FNS: [LibcallFn; LIBCALLS] = {
        let mut fns: [LibcallFn; LIBCALLS] = [budget::<T>; LIBCALLS];
        fns[Libcall::Call as usize] = call::<T>;
        fns[Libcall::MemoryGrow as usize] = memory_grow::<T>;
        fns[Libcall::MemoryFill as usize] = memory_fill::<T>;
        fns[Libcall::MemoryCopy as usize] = memory_copy::<T>;
        fns[Libcall::MemoryInit as usize] = memory_init::<T>;
        fns[Libcall::DataDrop as usize] = data_drop::<T>;
        fns[Libcall::TableGet as usize] = table_get::<T>;
        fns[Libcall::TableSet as usize] = table_set::<T>;
        fns[Libcall::TableSize as usize] = table_size::<T>;
        fns[Libcall::TableGrow as usize] = table_grow::<T>;
        fns[Libcall::TableFill as usize] = table_fill::<T>;
        fns[Libcall::TableCopy as usize] = table_copy::<T>;
        fns[Libcall::TableInit as usize] = table_init::<T>;
        fns[Libcall::ElemDrop as usize] = elem_drop::<T>;
        fns
    };
}

/// What a libcall works on: the store, its operands, the caller's instance.
struct Call<'a, T> {
    host: &'a mut JitHost<T>,
    args: *mut u64,
    instance: InstanceAddr,
}

impl<T> Call<'_, T> {
    fn store(&mut self) -> &mut Store<T> {
        // SAFETY: the driver lent the store to compiled code for the whole call, and
        // compiled code is suspended while a libcall runs.
        unsafe { &mut *self.host.store }
    }

    fn arg(&self, index: usize) -> u64 {
        // SAFETY: compiled code passes a pointer to its operands, which are live slots.
        unsafe { self.args.add(index).read() }
    }

    fn arg_u32(&self, index: usize) -> u32 {
        self.arg(index) as u32
    }

    /// Operand `index` as an address or element index of `index_type` (a 32-bit one
    /// is the low half of its slot).
    fn arg_index(&self, index: usize, index_type: IndexType) -> u64 {
        match index_type {
            IndexType::I32 => self.arg_u32(index).into(),
            IndexType::I64 => self.arg(index),
        }
    }

    /// Result 0: a size or index of `index_type`, or -1 for `None`.
    fn set_index_result(&mut self, value: Option<u32>, index_type: IndexType) {
        let value = match (value, index_type) {
            (Some(value), _) => u64::from(value),
            (None, IndexType::I32) => u64::from(u32::MAX),
            (None, IndexType::I64) => u64::MAX,
        };
        self.set_result(0, value);
    }

    fn set_result(&mut self, index: usize, value: u64) {
        // SAFETY: as for `arg`; results take the places of operands.
        unsafe { self.args.add(index).write(value) }
    }

    /// The slot index of the operands.
    fn args_slot(&mut self) -> usize {
        let base = self.store().vm.slots as usize;
        (self.args as usize - base) / 8
    }

    /// The store index of the instance's table `index`, and its index type.
    fn table(&mut self, index: u32) -> (usize, IndexType) {
        let instance = self.instance;
        let store = self.store();
        let table = store.instance(instance).tables[index as usize].0 as usize;
        (table, store.tables[table].ty.index_type)
    }

    /// The store index of the instance's memory `index`, and its index type.
    fn memory(&mut self, index: u32) -> (usize, IndexType) {
        let instance = self.instance;
        let store = self.store();
        let memory = store.instance(instance).memories[index as usize].0 as usize;
        (memory, store.memories[memory].ty.index_type)
    }
}

/// Runs a libcall's body; a trap becomes its code.
///
/// # Safety
/// `vm` is the VM context of a store lent to compiled code by [`super::run`], `args`
/// points to the operands, and `instance` is the caller's instance record.
unsafe fn with<T>(
    vm: *mut VmContext,
    args: *mut u64,
    instance: *const InstanceVm,
    body: impl FnOnce(&mut Call<'_, T>) -> Result<(), TrapKind>,
) -> u32 {
    // SAFETY: the caller's guarantees: `host` was set by the driver to a live `JitHost`.
    let host = unsafe { &mut *(*vm).host.cast::<JitHost<T>>() };
    // SAFETY: the instance record lives as long as its instance.
    let instance = InstanceAddr(unsafe { (*instance).addr });
    let mut call = Call { host, args, instance };
    match body(&mut call) {
        Ok(()) => 0,
        Err(kind) => {
            let (code, arg) = kind.code();
            if code == 0 {
                // A trap of the host's own, kept already (or a message to keep).
                if call.host.trap.is_none() {
                    call.host.trap = Some(kind.into());
                }
                return TRAP_PENDING;
            }
            call.store().vm.exit.arg = arg;
            code
        }
    }
}

macro_rules! libcall {
    ($(fn $name:ident($call:ident, $a:ident, $b:ident) $body:block)*) => {$(
        /// # Safety
        /// Called by compiled code only, as [`with`] requires.
        unsafe extern "C" fn $name<T>(
            vm: *mut VmContext,
            args: *mut u64,
            $a: u32,
            $b: u32,
            instance: *const InstanceVm,
        ) -> u32 {
            // SAFETY: compiled code calls with what `with` requires.
            unsafe { with::<T>(vm, args, instance, |$call: &mut Call<'_, T>| $body) }
        }
    )*};
}

libcall! {
    fn budget(call, _a, _b) {
        let store = call.store();
        match store.budget.exhausted(&mut store.vm.budget) {
            Ok(()) => Ok(()),
            Err(why) => {
                call.host.budget_stop = Some(why);
                // Not a trap: the driver decides; any non-zero value stops.
                Err(TrapKind::Unreachable)
            }
        }
    }

    // `tail`: not 0 for a tail call, whose arguments are at the caller's frame base.
    fn call(call, func, tail) {
        let args_slot = call.args_slot();
        let caller = call.instance;
        let store = call.store();
        store.stack.frames.set_len(store.vm.frames_len);
        store.stack.top = args_slot;
        if let FuncKind::Wasm { .. } = store.funcs[func as usize].kind {
            // The driver runs it, so that WebAssembly calls never nest on the native
            // stack: not a trap, but any non-zero value makes the caller leave.
            call.host.call = Some((FuncAddr(func), args_slot));
            return Err(TrapKind::Unreachable);
        }
        if tail != 0 {
            // The driver calls it in place of the caller, whose frame then is gone.
            call.host.tail_host = Some((FuncAddr(func), args_slot, caller));
            return Err(TrapKind::Unreachable);
        }
        let mut buffers = std::mem::take(&mut call.host.buffers);
        let called = call_host(call.store(), FuncAddr(func), Some(caller), args_slot, &mut buffers);
        call.host.buffers = buffers;
        let store = call.store();
        store.refresh_vm();
        called.map(drop).map_err(|trap| {
            call.host.trap = Some(trap);
            TrapKind::Host(String::new())
        })
    }

    fn memory_grow(call, memory, _b) {
        let (memory, index_type) = call.memory(memory);
        let delta = call.arg_index(0, index_type);
        let old = call.store().memories[memory].grow(delta).ok();
        call.set_index_result(old, index_type);
        Ok(())
    }

    fn memory_fill(call, memory, _b) {
        let (memory, index_type) = call.memory(memory);
        let (dst, value, len) = (call.arg_index(0, index_type), call.arg(1) as u8, call.arg_index(2, index_type));
        call.store().memories[memory].fill(dst, value, len)
    }

    fn memory_copy(call, dst_memory, src_memory) {
        let ((dst_memory, dst_type), (src_memory, src_type)) = (call.memory(dst_memory), call.memory(src_memory));
        let (dst, src) = (call.arg_index(0, dst_type), call.arg_index(1, src_type));
        let len = call.arg_index(2, dst_type.narrower(src_type));
        let memories = &mut call.store().memories;
        stratus_runtime::copy_memory(memories, dst_memory, dst, src_memory, src, len)
    }

    fn memory_init(call, data, memory) {
        let (memory, index_type) = call.memory(memory);
        let (dst, src, len) = (call.arg_index(0, index_type), call.arg_u32(1), call.arg_u32(2));
        let instance = call.instance;
        let store = call.store();
        let segment = &store.datas[store.instance(instance).datas[data as usize].0 as usize];
        let module = store.instances[segment.instance.0 as usize].module.clone();
        let bytes = &module.bytes[segment.bytes.clone()];
        store.memories[memory].init(dst, bytes, src, len)
    }

    fn data_drop(call, data, _b) {
        let instance = call.instance;
        let store = call.store();
        let segment = store.instance(instance).datas[data as usize].0 as usize;
        store.datas[segment].bytes = 0..0;
        Ok(())
    }

    fn table_get(call, table, _b) {
        let (table, index_type) = call.table(table);
        let index = call.arg_index(0, index_type);
        let value = call.store().tables[table].get(index)?;
        call.set_result(0, value);
        Ok(())
    }

    fn table_set(call, table, _b) {
        let (table, index_type) = call.table(table);
        let (index, value) = (call.arg_index(0, index_type), call.arg(1));
        call.store().tables[table].set(index, value)
    }

    fn table_size(call, table, _b) {
        let (table, index_type) = call.table(table);
        let size = call.store().tables[table].size();
        call.set_index_result(Some(size), index_type);
        Ok(())
    }

    fn table_grow(call, table, _b) {
        let (table, index_type) = call.table(table);
        let (init, delta) = (call.arg(0), call.arg_index(1, index_type));
        let old = u32::try_from(delta).ok().and_then(|delta| call.store().tables[table].grow(delta, init).ok());
        call.set_index_result(old, index_type);
        Ok(())
    }

    fn table_fill(call, table, _b) {
        let (table, index_type) = call.table(table);
        let (start, value, len) = (call.arg_index(0, index_type), call.arg(1), call.arg_index(2, index_type));
        call.store().tables[table].fill(start, value, len)
    }

    fn table_copy(call, dst_table, src_table) {
        let ((dst_table, dst_type), (src_table, src_type)) = (call.table(dst_table), call.table(src_table));
        let (dst, src) = (call.arg_index(0, dst_type), call.arg_index(1, src_type));
        let len = call.arg_index(2, dst_type.narrower(src_type));
        let tables = &mut call.store().tables;
        stratus_runtime::copy_table_elements(tables, dst_table, src_table, dst, src, len)
    }

    fn table_init(call, table, elem) {
        let (table, index_type) = call.table(table);
        let (dst, src, len) = (call.arg_index(0, index_type), call.arg_u32(1), call.arg_u32(2));
        let instance = call.instance;
        let store = call.store();
        let segment = store.instance(instance).elems[elem as usize].0 as usize;
        let items = &store.elems[segment].items;
        store.tables[table].init(dst, items, src, len)
    }

    fn elem_drop(call, elem, _b) {
        let instance = call.instance;
        let store = call.store();
        let segment = store.instance(instance).elems[elem as usize].0 as usize;
        store.elems[segment].items = Vec::new();
        Ok(())
    }
}
