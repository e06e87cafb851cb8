/*
 * dump.h - the model as JSON (--dump-model): what meshlint believes the
 * input declares, the first thing to read when a finding surprises.
 */
#ifndef MESHLINT_DUMP_H
#define MESHLINT_DUMP_H
#include "meshlint/base.h"
#include "meshlint/model.h"
void ml_dump_model(ml_buf *out, ml_model *m);
#endif
