# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The student's batch as the teacher's data preprocessor would have made it."""


def normalisation(preprocessor):
    """(mean, std, bgr_to_rgb) of a data preprocessor; no normalisation is mean 0, std 1."""
    enabled = getattr(preprocessor, '_enable_normalize', False)
    mean = preprocessor.mean.flatten().tolist() if enabled else [0.0] * 3
    std = preprocessor.std.flatten().tolist() if enabled else [1.0] * 3
    return mean, std, bool(getattr(preprocessor, '_channel_conversion', False))


def input_converter(student_preprocessor, teacher_preprocessor):
    """Maps student-normalised images to teacher-normalised ones (identity if they agree):
    mean/std, BGR/RGB order, and the teacher's padding value."""
    student, teacher = normalisation(student_preprocessor), normalisation(teacher_preprocessor)
    if student == teacher:
        return lambda inputs, data_samples: inputs
    (s_mean, s_std, s_flip), (t_mean, t_std, t_flip) = student, teacher
    teacher_pad = float(getattr(teacher_preprocessor, 'pad_value', 0))

    def convert(inputs, data_samples):
        def column(values):
            return inputs.new_tensor(values).view(1, -1, 1, 1)

        images = inputs * column(s_std) + column(s_mean)  # back to 0-255 pixels
        if s_flip != t_flip:
            images = images.flip(1)  # BGR <-> RGB
        images = (images - column(t_mean)) / column(t_std)
        for image, sample in zip(images, data_samples):  # padding as the teacher pads it
            height, width = sample.img_shape[:2]
            image[:, height:, :] = teacher_pad
            image[:, :, width:] = teacher_pad
        return images

    return convert
