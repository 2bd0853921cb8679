/* layer.h - walks one layer's tar stream once, applying whiteouts and feeding analyzers. */
#ifndef BH_IMAGE_LAYER_H
#define BH_IMAGE_LAYER_H

#include <archive.h>

#include "image/collect.h"

/*
 * Reads every entry of the opened archive `a` (a layer tar, any compression) as layer number
 * `layer`. `name` is used in messages. The archive is not closed.
 */
int bh_layer_walk(struct archive *a, int layer, const char *name, bh_collect *c, bh_error *err);

/* Creates a libarchive reader configured for layers (tar formats, every filter). Caller frees. */
struct archive *bh_layer_reader_new(void);

#endif
