package io.gradquant.data;

import java.io.IOException;

/** No location holds a data set's files; the message lists where it looked and how to get the data. */
public final class DataNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public DataNotFoundException(String message) {
        super(message);
    }
}
