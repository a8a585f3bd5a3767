"""Runs every bench script in turn: `make bench`."""

from bench import bench_emotion_parsing

if __name__ == "__main__":
    for module in (bench_emotion_parsing,):
        print(f"== {module.__name__}")
        module.main()
