/* product.h - the product's name and version, shared by every report writer and the CLI. */
#ifndef BH_CORE_PRODUCT_H
#define BH_CORE_PRODUCT_H

#define BH_PRODUCT "bulkhead"
#define BH_VERSION "0.1.0"

#endif
