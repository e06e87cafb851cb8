#ifndef MESHLINT_VERSION_H
#define MESHLINT_VERSION_H
#define ML_VERSION "0.1.0"
#define ML_INFO_URI "https://github.com/meshlint/meshlint"
#endif
