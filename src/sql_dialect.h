#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "database_url.h"

namespace pageviews {

// Every statement whose text differs between the three databases, one
// struct per backend, defined side by side in sql_dialect.cc: the place to
// look when a backend is added or a statement changes. (The migrations'
// DDL, written per backend per migration, stays in migrations.cc.)
struct SqlDialect {
    // Adds a parameter ($1/?) to the count of the path (the second).
    std::string_view increment;
    // Whether `increment` returns the new total (MySQL's UPDATE cannot: it
    // reads the total with selectViews in the same transaction).
    bool incrementReturnsTotal;
    // The count of the path given as the parameter.
    std::string_view selectViews;
    // Records an applied migration: version, name.
    std::string_view recordMigration;
    // Serialises concurrent `migrate` runs: taken by lockBegin, released by
    // lockCommit or lockRollback (';'-separated statements).
    std::string_view lockBegin;
    std::string_view lockCommit;
    std::string_view lockRollback;
};

const SqlDialect &sqlDialect(Backend backend);

// Prepares PostgreSQL's increment on a connection: run once on each of the
// counter's connections before it takes a batch, so the server parses and
// plans the UPDATE once per connection instead of once per batch.
std::string postgresPrepareIncrement();

// PostgreSQL's increment of `amount` views by that prepared statement,
// returning the new total, as one simple-query string (PgConnection sends no
// parameters). It runs alone in an implicit transaction, so the server's
// ReadyForQuery after it means the transaction committed or rolled back,
// and an error before it (a refused COMMIT included) means it rolled back.
std::string postgresIncrementQuery(std::int64_t amount);

}  // namespace pageviews
