/* Sales channels (box office, own app, an aggregator).
 *
 * Record (TIX_REC_CHANNEL, version 1): u64 id | str name
 *
 * Ids stop at TIX_CHANNEL_MAX: the seat engine keeps one byte per seat
 * naming its channel (lib/seats/channel.c), so the id is that byte. */
#include "channel.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>

#include "error.h"

static int channel_on_put(tix_db *db, MDB_txn *txn, const void *old, void *rec)
{
    (void)db;
    (void)txn;
    const tix_channel *c = rec;
    if (!old && c->id > TIX_CHANNEL_MAX)
        return tix__err(TIX_ELIMIT, "a store has at most %d channels",
                        TIX_CHANNEL_MAX);
    return TIX_OK;
}

#define F(m) .off = offsetof(tix_channel, m), .member = #m
static const tix__field channel_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"channel name", TIX__F_STR, TIX__C_NAME, F(name)},
};
#undef F
_Static_assert(sizeof(tix_channel) <= TIX__REC_SIZE_MAX, "record.c copies it");

static const tix__rindex channel_index[] = {
    {TIX_T_CHANNELS_BY_NAME, -1, 1, 0, NULL}};

TIX__REC_DECODER(channel_decode, tix__channel_type)

const tix__rectype tix__channel_type = {
    "channel", TIX_T_CHANNELS, TIX_REC_CHANNEL, 1, sizeof(tix_channel),
    channel_fields, 2, channel_index, 1, channel_decode,
    .on_put = channel_on_put};

int tix__channel_exists(tix_db *db, MDB_txn *txn, tix_id id)
{
    MDB_val v;
    int rc = id ? tix__db_get_id(db, txn, TIX_T_CHANNELS, id, &v, "channel")
                : TIX_ENOTFOUND;
    if (rc == TIX_ENOTFOUND)
        return tix__err(rc, "channel %llu does not exist",
                        (unsigned long long)id);
    return rc;
}

int tix_channel_create(tix_db *db, const tix_channel *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__channel_type, in, id_out);
}

int tix_channel_get(tix_db *db, tix_id id, tix_channel **out)
{
    return tix__rec_get(db, &tix__channel_type, id, (void **)out);
}

int tix_channel_find(tix_db *db, const char *name, tix_channel **out)
{
    return tix__rec_find(db, &tix__channel_type, 0, name, (void **)out);
}

int tix_channel_list_all(tix_db *db, tix_channel_list **out)
{
    return tix__rec_list_page(db, &tix__channel_type, 0, 0, (void **)out);
}

void tix_channel_free(tix_channel *c) { free(c); }
void tix_channel_list_free(tix_channel_list *l) { free(l); }
