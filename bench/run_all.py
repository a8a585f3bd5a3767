"""Runs every bench script in turn: `make bench`."""

from bench import (bench_emotion_parsing, bench_face_render, bench_load, bench_ser, bench_startup, bench_talking_head,
                   bench_tts)

if __name__ == "__main__":
    for module in (bench_startup, bench_emotion_parsing, bench_ser, bench_face_render, bench_talking_head, bench_tts,
                   bench_load):
        print(f"== {module.__name__}")
        module.main()
