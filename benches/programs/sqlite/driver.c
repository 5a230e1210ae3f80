/*
 * sqlite driver - a database workload on SQLite (amalgamation from the
 * libsqlite3-sys crate, fetched at build time by benches/build.sh) with an
 * in-memory database: inserts inside transactions, indexed and unindexed
 * selects, updates, deletes, a join and ORDER BY with LIMIT. Models an
 * embedded database (the seed paper's SQLite speed test).
 * Size: per rep, a fresh database of ROWS = 400 customer rows and 4*ROWS
 * order rows; FULL_REPS = 100 reps at full.
 */
#include "../bench.h"
#include "sqlite3.h"

#define ROWS 400
#define FULL_REPS 100

static sqlite3 *db;

static void die(const char *what) {
    fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, err);
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(sql);
    return st;
}

/* Run a prepared query to completion, folding every column into the sum. */
static void fold_rows(sqlite3_stmt *st, sum_t *s) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_INTEGER: sum_u64(s, (uint64_t)sqlite3_column_int64(st, c)); break;
            case SQLITE_FLOAT: sum_double(s, sqlite3_column_double(st, c)); break;
            case SQLITE_TEXT: {
                const unsigned char *t = sqlite3_column_text(st, c);
                uint64_t h = 0;
                for (int i = 0; t[i]; i++) h = h * 131 + t[i];
                sum_u64(s, h);
                break;
            }
            default: sum_u64(s, 0xdead); break;
            }
        }
    }
    if (rc != SQLITE_DONE) die("step");
    sqlite3_reset(st);
}

static void one_rep(rng_t *r, sum_t *s) {
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("open");
    exec("CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, city INTEGER, score INTEGER);"
         "CREATE TABLE orders(id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER, note TEXT);");

    /* Inserts, in one transaction. */
    sqlite3_stmt *ins_c = prepare("INSERT INTO customer VALUES(?1, ?2, ?3, ?4)");
    sqlite3_stmt *ins_o = prepare("INSERT INTO orders(cust, amount, note) VALUES(?1, ?2, ?3)");
    char text[48];
    exec("BEGIN");
    for (int i = 0; i < ROWS; i++) {
        snprintf(text, sizeof text, "customer-%u-%u", rng_below(r, 100000), (unsigned)i);
        sqlite3_bind_int(ins_c, 1, i);
        sqlite3_bind_text(ins_c, 2, text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins_c, 3, (int)rng_below(r, 50));
        sqlite3_bind_int(ins_c, 4, (int)rng_below(r, 1000));
        if (sqlite3_step(ins_c) != SQLITE_DONE) die("insert customer");
        sqlite3_reset(ins_c);
        for (int k = 0; k < 4; k++) {
            snprintf(text, sizeof text, "order note %u", rng_below(r, 1u << 30));
            sqlite3_bind_int(ins_o, 1, (int)rng_below(r, ROWS));
            sqlite3_bind_int(ins_o, 2, (int)rng_below(r, 10000));
            sqlite3_bind_text(ins_o, 3, text, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(ins_o) != SQLITE_DONE) die("insert order");
            sqlite3_reset(ins_o);
        }
    }
    exec("COMMIT");
    sqlite3_finalize(ins_c);
    sqlite3_finalize(ins_o);

    /* Unindexed selects: full scans with a filter. */
    sqlite3_stmt *scan = prepare("SELECT count(*), sum(amount) FROM orders WHERE amount BETWEEN ?1 AND ?2");
    for (int q = 0; q < 40; q++) {
        int lo = (int)rng_below(r, 9000);
        sqlite3_bind_int(scan, 1, lo);
        sqlite3_bind_int(scan, 2, lo + 500);
        fold_rows(scan, s);
    }
    sqlite3_finalize(scan);

    /* Create indexes, then indexed selects. */
    exec("CREATE INDEX orders_cust ON orders(cust); CREATE INDEX customer_city ON customer(city);");
    sqlite3_stmt *by_cust = prepare("SELECT count(*), max(amount) FROM orders WHERE cust = ?1");
    for (int q = 0; q < ROWS; q++) {
        sqlite3_bind_int(by_cust, 1, (int)rng_below(r, ROWS));
        fold_rows(by_cust, s);
    }
    sqlite3_finalize(by_cust);

    /* Updates (indexed and unindexed predicates) and deletes, in a transaction. */
    exec("BEGIN");
    sqlite3_stmt *upd = prepare("UPDATE customer SET score = score + ?1 WHERE city = ?2");
    for (int q = 0; q < 50; q++) {
        sqlite3_bind_int(upd, 1, (int)rng_below(r, 10));
        sqlite3_bind_int(upd, 2, q);
        if (sqlite3_step(upd) != SQLITE_DONE) die("update");
        sqlite3_reset(upd);
    }
    sqlite3_finalize(upd);
    exec("UPDATE orders SET amount = amount / 2 WHERE note LIKE '%7'");
    exec("DELETE FROM orders WHERE amount < 300");
    exec("DELETE FROM customer WHERE score % 17 = 0");
    exec("COMMIT");

    /* A join with grouping, and ORDER BY. */
    sqlite3_stmt *join = prepare(
        "SELECT c.city, count(*), sum(o.amount) FROM customer c JOIN orders o ON o.cust = c.id "
        "GROUP BY c.city ORDER BY c.city");
    fold_rows(join, s);
    sqlite3_finalize(join);
    sqlite3_stmt *top = prepare(
        "SELECT name, score FROM customer ORDER BY score DESC, name LIMIT 100");
    fold_rows(top, s);
    sqlite3_finalize(top);
    sqlite3_stmt *sorted = prepare("SELECT id, amount FROM orders ORDER BY note");
    fold_rows(sorted, s);
    sqlite3_finalize(sorted);

    sqlite3_close(db);
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(17);
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) one_rep(&r, &s);
    return bench_finish(&s);
}
