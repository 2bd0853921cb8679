/* tarbuild.c - in-memory tar writer for tests. */
#include "support/tarbuild.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

void *tb_build(const tb_entry *e, size_t n, int gz, size_t *len)
{
	size_t cap = 1 << 22, used = 0, i;
	void *buf = malloc(cap);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, buf, cap, &used);
	for (i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		switch (e[i].type) {
		case 'd':
			archive_entry_set_filetype(ae, AE_IFDIR);
			archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].content);
			archive_entry_set_perm(ae, 0777);
			break;
		case 'h':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].content);
			archive_entry_set_perm(ae, 0644);
			break;
		case 'b':
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0644);
			archive_entry_set_size(ae, (la_int64_t)((const tb_blob *)(const void *)e[i].content)->len);
			break;
		default:
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_perm(ae, e[i].mode ? e[i].mode : 0644);
			archive_entry_set_size(ae, (la_int64_t)strlen(e[i].content ? e[i].content : ""));
		}
		archive_write_header(a, ae);
		if (e[i].type == 'f' && e[i].content)
			archive_write_data(a, e[i].content, strlen(e[i].content));
		if (e[i].type == 'b') {
			const tb_blob *b = (const tb_blob *)(const void *)e[i].content;
			archive_write_data(a, b->data, b->len);
		}
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	*len = used;
	return buf;
}
