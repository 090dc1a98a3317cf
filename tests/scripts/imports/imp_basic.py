# Helper module for the import tests (not a test itself: the runner only runs *.mini files).
value = 42
label = "basic"


def double(x):
    return 2 * x


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return "Point(%d, %d)" % (self.x, self.y)


if __name__ == "__main__":
    print("imp_basic run as a script")
else:
    imported_as = __name__
