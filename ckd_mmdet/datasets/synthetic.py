# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""A small synthetic detection set in COCO format: coloured shapes on textured backgrounds.

Deterministic from its seed; nothing is downloaded. Used by the tests and the demo.
"""
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ('square', 'disc', 'triangle')
_COLOURS = ((220, 40, 40), (40, 180, 60), (50, 80, 220))


def _draw(draw, shape, box, colour):
    x1, y1, x2, y2 = box
    if shape == 'square':
        draw.rectangle(box, fill=colour)
    elif shape == 'disc':
        draw.ellipse(box, fill=colour)
    else:
        draw.polygon([(x1, y2), ((x1 + x2) / 2, y1), (x2, y2)], fill=colour)


def make_split(root, split, num_images, image_size=96, max_objects=3, seed=0):
    """Writes ``root/<split>/*.png`` and ``root/annotations/instances_<split>.json``.

    Returns:
        Path: the annotation file.
    """
    rng = np.random.default_rng([seed, len(split), num_images])
    image_dir = Path(root, split)
    image_dir.mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for image_id in range(1, num_images + 1):
        background = rng.integers(60, 200, size=3)
        noise = rng.normal(0, 12, size=(image_size, image_size, 3))
        pixels = np.clip(background + noise, 0, 255).astype(np.uint8)
        image = Image.fromarray(pixels)
        draw = ImageDraw.Draw(image)
        for _ in range(rng.integers(1, max_objects + 1)):
            label = int(rng.integers(len(CLASSES)))
            side = int(rng.integers(image_size // 6, image_size // 2))
            x1, y1 = (int(v) for v in rng.integers(0, image_size - side, size=2))
            box = (x1, y1, x1 + side, y1 + side)
            _draw(draw, CLASSES[label], box, _COLOURS[label])
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id,
                                    category_id=label + 1, bbox=[x1, y1, side, side],
                                    area=float(side * side), iscrowd=0))
        file_name = f'{image_id:06d}.png'
        image.save(image_dir / file_name)
        images.append(dict(id=image_id, file_name=file_name, width=image_size,
                           height=image_size))
    annotation_file = Path(root, 'annotations', f'instances_{split}.json')
    annotation_file.parent.mkdir(parents=True, exist_ok=True)
    categories = [dict(id=i + 1, name=name) for i, name in enumerate(CLASSES)]
    annotation_file.write_text(json.dumps(dict(images=images, annotations=annotations,
                                               categories=categories)))
    return annotation_file
