/* composer.c - PHP packages from composer.lock and vendor/composer/installed.json (Composer 1 and 2). */
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/map.h"
#include "pkg/analyzer.h"

static bool is_installed_json(const char *path, size_t len)
{
	return bh_path_is(path, len, "vendor/composer/installed.json");
}

static bool match(const char *path, size_t len, uint32_t mode, uint64_t size)
{
	(void)mode; (void)size;
	return bh_path_is(path, len, "composer.lock") || is_installed_json(path, len);
}

/* "license": "MIT" or ["MIT", "GPL-2.0-or-later"]; Composer reads several as a choice. */
static int set_license(bh_component *c, const json_t *lic)
{
	bh_buf b = BH_BUF_INIT;
	size_t i;
	int rc = 0;
	if (json_is_string(lic))
		return json_string_length(lic) ? bh_component_set(&c->license, json_string_value(lic), json_string_length(lic)) : 0;
	if (!json_is_array(lic))
		return 0;
	for (i = 0; i < json_array_size(lic); i++) {
		const json_t *v = json_array_get(lic, i);
		if (!json_is_string(v) || !json_string_length(v))
			continue;
		if ((b.len && (rc = bh_buf_puts(&b, " OR "))) ||
		    (rc = bh_buf_append(&b, json_string_value(v), json_string_length(v))))
			break;
	}
	if (rc == 0 && b.len)
		rc = bh_component_set(&c->license, b.data, b.len);
	bh_buf_free(&b);
	return rc;
}

/* Set of "dev-package-names", hashed so a hostile file cannot make the lookup quadratic. */
static int names_set(const json_t *names, bh_map *m)
{
	size_t i;
	int rc;
	for (i = 0; json_is_array(names) && i < json_array_size(names); i++) {
		const char *s = json_string_value(json_array_get(names, i));
		if (s && (rc = bh_map_put(m, s, (void *)1)))
			return rc;
	}
	return 0;
}

/* One package object of either file; dev is known from the list it is in (lock) or the name list. */
static int add_package(const json_t *pkg, bool dev, const bh_map *dev_names, uint32_t flags, bh_complist *out)
{
	const char *name = bh_json_str(pkg, "name"), *ver = bh_json_str(pkg, "version");
	bh_component *c;
	if (!name || !*name || !ver || !*ver)
		return 0;
	c = bh_complist_add(out, BH_ECO_COMPOSER);
	if (!c || bh_component_set(&c->name, name, (size_t)-1) || bh_component_set(&c->version, ver, (size_t)-1) ||
	    set_license(c, json_object_get(pkg, "license")))
		return BH_ENOMEM;
	c->flags |= flags;
	if (dev || (dev_names && bh_map_get(dev_names, name)))
		c->flags |= BH_COMP_DEV;
	return 0;
}

static int add_list(const json_t *list, bool dev, const bh_map *dev_names, uint32_t flags, bh_complist *out)
{
	size_t i;
	int rc;
	for (i = 0; json_is_array(list) && i < json_array_size(list); i++) {
		const json_t *p = json_array_get(list, i);
		if (json_is_object(p) && (rc = add_package(p, dev, dev_names, flags, out)))
			return rc;
	}
	return 0;
}

static int analyze(bh_file *f, bh_complist *out, bh_error *err)
{
	const unsigned char *data;
	size_t len;
	json_t *root;
	int rc;

	if ((rc = bh_file_slurp(f, &data, &len, err)))
		return rc;
	/* nesting is checked before jansson recurses into it */
	if ((rc = bh_json_load((const char *)data, len, f->limits ? f->limits->max_json_depth : 64, f->path, &root, err)))
		return rc;
	if (is_installed_json(f->path, strlen(f->path))) {
		/* Composer 1: a bare array; Composer 2: {"packages": [...], "dev-package-names": [...]} */
		if (json_is_array(root)) {
			rc = add_list(root, false, NULL, 0, out);
		} else {
			bh_map dev;
			bh_map_init(&dev, NULL);
			rc = names_set(json_object_get(root, "dev-package-names"), &dev);
			if (rc == 0)
				rc = add_list(json_object_get(root, "packages"), false, &dev, 0, out);
			bh_map_free(&dev);
		}
	} else {
		rc = add_list(json_object_get(root, "packages"), false, NULL, BH_COMP_LOCKFILE, out);
		if (rc == 0)
			rc = add_list(json_object_get(root, "packages-dev"), true, NULL, BH_COMP_LOCKFILE, out);
	}
	json_decref(root);
	if (rc)
		return bh_error_set(err, rc, "%s: out of memory", f->path);
	return 0;
}

const bh_analyzer bh_analyzer_composer = { "composer", match, analyze, NULL };
